// What the boot loader (src/boot/loader.ts) and the core bundle (src/boot/core.ts) agree
// on. The build (scripts/dist-layout.mjs) names the core's files and passes
// the names in as S3_KMS_ENV_CORE_FILE and S3_KMS_ENV_CODE_CACHE_FILE.

/** Whether V8 took the build's code cache for the core (or a chunk): shown by `--debug`. */
export type CodeCacheState = "accepted" | "rejected" | "absent";

/**
 * A CommonJS body wrapped in a function expression, as the loader runs the
 * core and lazy-load.ts a chunk with a code cache: called like Node calls a module.
 */
export type CommonJsBody = (
  exports: unknown,
  req: NodeJS.Require,
  module: { exports: unknown },
  file: string,
  dir: string,
) => void;

export interface CoreExports {
  start(codeCache: CodeCacheState): void;
}
