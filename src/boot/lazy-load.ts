// Heavy third-party parts that a plain container start does not need (the
// full credential chain, the KMS and S3 clients, the XML parser, CRC tables)
// are built into separate files, dist/vendor/NAME.cjs, and embedded as
// assets in the single binary. The build redirects `import("pkg")` in src/
// to loadVendor(NAME), so the hot path never even compiles them.
//
// A chunk in S3_KMS_ENV_TRAINED_CHUNKS (the sealed room) has a V8 code cache
// beside it, vendor/NAME.v8cache, made by a training start at build time
// (scripts/train-code-cache.mjs) as the core's is: it is compiled with
// vm.Script and that cache, so the functions a sealed start runs are read,
// not compiled. A cache that is missing or that V8 rejects (another Node)
// only means a plain compile.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as vm from "node:vm";
import type { CodeCacheState, CommonJsBody } from "./contract";
import { seaModule } from "./sea";

const loaded = new Map<string, unknown>();
const cacheStates = new Map<string, CodeCacheState>();

// As Node wraps a CommonJS file, so that the cache covers the same function.
const WRAPPER = ["(function (exports, require, module, __filename, __dirname) {", "\n})"] as const;

interface ChunkSource {
  readonly source: string;
  readonly cache: Buffer | undefined;
}

function readOptional(read: () => Uint8Array): Buffer | undefined {
  try {
    const bytes = read();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch {
    return undefined;
  }
}

/**
 * Runs a chunk's CommonJS body, compiled with its cache if there is one.
 * Vendor chunks require nothing but Node's built-ins (their siblings through
 * their own loadVendor), so any `req` does; `dir` is their __dirname.
 */
function runChunk(
  name: string,
  chunk: ChunkSource,
  filename: string,
  req: NodeJS.Require,
  dir: string,
): unknown {
  const script = new vm.Script(`${WRAPPER[0]}${chunk.source}${WRAPPER[1]}`, {
    filename,
    cachedData: chunk.cache,
  });
  cacheStates.set(
    name,
    chunk.cache === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "accepted",
  );
  const module = { exports: {} as unknown };
  (script.runInThisContext() as CommonJsBody)(module.exports, req, module, filename, dir);
  return module.exports;
}

function fromSeaAsset(sea: typeof import("node:sea"), name: string): unknown {
  const file = `vendor/${name}.cjs`;
  const source = sea.getAsset(file, "utf8");
  const cache = S3_KMS_ENV_TRAINED_CHUNKS.includes(name)
    ? readOptional(() => new Uint8Array(sea.getRawAsset(`vendor/${name}.v8cache`)))
    : undefined;
  // Built-ins resolve from anywhere: the executable is as good a base as any.
  const req = process.getBuiltinModule("node:module").createRequire(process.execPath);
  return runChunk(name, { source, cache }, file, req, dirname(process.execPath));
}

function fromFile(name: string): unknown {
  const filename = join(__dirname, S3_KMS_ENV_VENDOR_DIR, `${name}.cjs`);
  if (!S3_KMS_ENV_TRAINED_CHUNKS.includes(name)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file beside the bundle, resolved at run time
    return require(filename);
  }
  const cache = readOptional(() =>
    readFileSync(join(__dirname, S3_KMS_ENV_VENDOR_DIR, `${name}.v8cache`)),
  );
  // This bundle's own require: node:module (and its source-map parts) stays unloaded.
  return runChunk(
    name,
    { source: readFileSync(filename, "utf8"), cache },
    filename,
    require,
    dirname(filename),
  );
}

export function loadVendor(name: string): unknown {
  let mod = loaded.get(name);
  if (mod === undefined) {
    const sea = seaModule();
    mod = sea ? fromSeaAsset(sea, name) : fromFile(name);
    loaded.set(name, mod);
  }
  return mod;
}

/** Whether a trained chunk loaded so far was compiled with its code cache (`--debug`). */
export function chunkCacheState(name: string): CodeCacheState {
  return cacheStates.get(name) ?? "absent";
}
