// Every ops command, in one module that the build makes a bundle of its own
// (dist/vendor/ops.cjs): a container start never even compiles them.
export { diffCommand } from "./diff-command";
export { editCommand } from "./edit-command";
export { getCommand } from "./get-command";
export { historyCommand } from "./history-command";
export { putCommand } from "./put-command";
export { rekeyCommand } from "./rekey-command";
export { rollbackCommand } from "./rollback-command";
export { setCommand } from "./set-command";
export { unsetCommand } from "./unset-command";
export { verifyCommand } from "./verify-command";
