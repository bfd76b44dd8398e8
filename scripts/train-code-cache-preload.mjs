// Preloaded (node --import) into the build's one training start of
// dist/s3-kms-env.cjs (scripts/train-code-cache.mjs). It keeps the core's
// vm.Script, and where the start would execve the app it writes V8's code
// cache for the core instead: by then V8 has compiled every function a
// container start runs, so the cache holds their bytecode too.
import { writeFileSync } from "node:fs";
import vm from "node:vm";

const { TRAIN_CORE_FILE: coreFile, TRAIN_CACHE_OUT: out } = process.env;
const { Script } = vm;
let core;
// Called with `new` by the loader; returning an object from a constructor makes that the result.
vm.Script = function TrainingScript(source, options) {
  const isCore = options?.filename?.endsWith(coreFile) ?? false;
  // The cache holds the name the core was compiled under: the bare file name
  // (as in the binary), not this work tree's path, keeps the cache the same
  // wherever the build runs. A start that reads the cache uses its own name.
  const script = new Script(source, isCore ? { ...options, filename: coreFile } : options);
  if (isCore) core = script;
  return script;
};
process.execve = () => {
  if (core === undefined) throw new Error(`${coreFile} was not compiled through vm.Script`);
  writeFileSync(out, core.createCachedData());
  process.exit(0);
};
