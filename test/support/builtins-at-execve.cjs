// Preloaded into the CLI under test with NODE_OPTIONS="--require <this file>":
// at the point of execve it writes to the file named by BUILTINS_AT_EXECVE,
// one per line, every built-in module Node has loaded by then (its own
// bootstrap included, from process.moduleLoadList) and every dist/vendor/
// file the start required or compiled with vm.Script (a chunk with a code
// cache, src/boot/lazy-load.ts), then lets the execve happen. It requires
// nothing itself before that moment but node:vm, which every start loads,
// so it adds nothing to the list.
"use strict";

const out = process.env.BUILTINS_AT_EXECVE;
const execve = process.execve;
const vm = process.getBuiltinModule("node:vm");
const { Script } = vm;
const compiled = [];

vm.Script = function ScriptRecorded(source, options) {
  if (typeof options?.filename === "string") compiled.push(options.filename);
  return new Script(source, options);
};

process.execve = function execveAfterRecording(...args) {
  const builtins = process.moduleLoadList
    .filter((entry) => entry.startsWith("NativeModule "))
    .map((entry) => `builtin ${entry.slice("NativeModule ".length)}`);
  const vendor = [...Object.keys(require.cache), ...compiled]
    .filter((file) => /\/dist\/vendor\/[^/]+$/.test(file))
    .map((file) => `vendor ${file.slice(file.lastIndexOf("/") + 1)}`);
  const lines = [...new Set([...builtins, ...vendor])].sort();
  process.getBuiltinModule("node:fs").writeFileSync(out, lines.join("\n") + "\n");
  return execve.apply(this, args);
};
