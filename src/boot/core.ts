// The core: everything but the boot loader (src/boot/loader.ts), which compiles this
// bundle with its code cache and calls start().
import { main } from "../cli/main";
import type { CodeCacheState } from "./contract";
import { captureStdio } from "../exec/stdio";

export function start(codeCache: CodeCacheState): void {
  // Both as `node dist/s3-kms-env.cjs …` and as a SEA (where argv[1] is the
  // executable again), the user's arguments start at index 2.
  // Before anything can create process.std* streams (see exec/stdio.ts).
  const stdio = captureStdio();
  void main(process.argv.slice(2), process.env, { codeCache, stdio });
}
