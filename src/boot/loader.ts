// Entry of dist/s3-kms-env.cjs and of the single binary. It compiles the
// core (dist/s3-kms-env-core.js) with the V8 code cache that the build made
// by running one container start against a stub S3 (scripts/train-code-cache.mjs):
// the bytecode of everything a start runs is read instead of compiled, which
// is about a tenth of a start. A cache made by another Node or V8 is
// rejected by V8 and the core is compiled from source as usual; `--debug`
// says which happened.
import { readFileSync, writeSync } from "node:fs";
import { Script } from "node:vm";
import type { CodeCacheState, CommonJsBody, CoreExports } from "./contract";
import { seaModule } from "./sea";

// SIGUSR1 would start Node's inspector on 127.0.0.1:9229, through which
// anything on the host could read the secrets this process is about to hold.
// A listener takes the signal instead; it is reset to its default on execve.
process.on("SIGUSR1", () => {});

// File names of the core and its code cache, from the build (boot/build-constants.d.ts).
const CORE_FILE = S3_KMS_ENV_CORE_FILE;
const CODE_CACHE_FILE = S3_KMS_ENV_CODE_CACHE_FILE;

interface Core {
  readonly filename: string;
  readonly source: string;
  readonly cache: Buffer | undefined;
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function readCore(): Core {
  const sea = seaModule();
  if (sea !== undefined) {
    return {
      filename: CORE_FILE,
      source: sea.getAsset(CORE_FILE, "utf8"),
      cache: Buffer.from(sea.getRawAsset(CODE_CACHE_FILE)),
    };
  }
  // __dirname is absolute and normalized: path.join's first call costs more than it would do here.
  const filename = `${__dirname}/${CORE_FILE}`;
  return {
    filename,
    source: readFileSync(filename, "utf8"),
    cache: readOptional(`${__dirname}/${CODE_CACHE_FILE}`),
  };
}

function boot(): void {
  let core: Core;
  try {
    core = readCore();
  } catch {
    // Nothing has been read from S3 yet: this can only be a broken install.
    // writeSync, not process.stderr: that stream would make a piped fd 2 non-blocking.
    writeSync(
      2,
      `s3-kms-env: error: ${CORE_FILE} is missing beside ${__filename}; reinstall s3-kms-env\n`,
    );
    process.exitCode = 125;
    return;
  }
  const script = new Script(core.source, { filename: core.filename, cachedData: core.cache });
  const state: CodeCacheState =
    core.cache === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "accepted";
  const module = { exports: {} };
  // The core is one CommonJS body wrapped in a function expression by the build.
  (script.runInThisContext() as CommonJsBody)(
    module.exports,
    require,
    module,
    core.filename,
    __dirname,
  );
  (module.exports as CoreExports).start(state);
}

boot();
