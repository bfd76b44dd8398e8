// Preloaded (node --import) into the build's training starts of
// dist/s3-kms-env.cjs (scripts/train-code-cache.mjs). It keeps the vm.Script
// of the file being trained (the core, or the sealed chunk), and where the
// start would execve the app it writes V8's code cache for that file
// instead: by then V8 has compiled every function a container start runs,
// so the cache holds their bytecode too.
import { writeFileSync } from "node:fs";
import vm from "node:vm";

const { TRAIN_SCRIPT_FILE: trained, TRAIN_CACHE_OUT: out } = process.env;
const { Script } = vm;
let script;
// Called with `new` by the loaders; returning an object from a constructor makes that the result.
vm.Script = function TrainingScript(source, options) {
  const isTrained = options?.filename?.endsWith(trained) ?? false;
  // The cache holds the name the file was compiled under: its name as a SEA
  // asset, not this work tree's path, keeps the cache the same wherever the
  // build runs. A start that reads the cache uses its own name.
  const compiled = new Script(source, isTrained ? { ...options, filename: trained } : options);
  if (isTrained) script = compiled;
  return compiled;
};
process.execve = () => {
  if (script === undefined) throw new Error(`${trained} was not compiled through vm.Script`);
  writeFileSync(out, script.createCachedData());
  process.exit(0);
};
