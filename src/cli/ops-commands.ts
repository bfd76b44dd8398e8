// Every ops command, in one module that the build makes a bundle of its own
// (dist/vendor/ops.cjs): a container start never even compiles them.
export { diffCommand } from "./commands/diff";
export { editCommand } from "./commands/edit";
export { getCommand } from "./commands/get";
export { historyCommand } from "./commands/history";
export { putCommand } from "./commands/put";
export { rekeyCommand } from "./commands/rekey";
export { rollbackCommand } from "./commands/rollback";
export { setCommand } from "./commands/set";
export { unsetCommand } from "./commands/unset";
export { verifyCommand } from "./commands/verify";
