// Every ops command, in one module that the build makes a bundle of its own
// (dist/vendor/ops.cjs): a container start never even compiles them. Adding a
// command: its definition in commands/<name>.ts, its logic in ops/<name>.ts,
// and one line here.
import type { CommandDefinition } from "./command";
import { diffCommand } from "./commands/diff";
import { editCommand } from "./commands/edit";
import { getCommand } from "./commands/get";
import { historyCommand } from "./commands/history";
import { putCommand } from "./commands/put";
import { renderDefinition } from "./commands/render";
import { rekeyCommand } from "./commands/rekey";
import { rollbackCommand } from "./commands/rollback";
import { sealCommand } from "./commands/seal";
import { setCommand } from "./commands/set";
import { unsealCommand } from "./commands/unseal";
import { unsetCommand } from "./commands/unset";
import { verifyCommand } from "./commands/verify";

/** In the order the main help lists them. */
export const opsCommands: Readonly<Record<string, CommandDefinition>> = Object.fromEntries(
  [
    putCommand,
    getCommand,
    diffCommand,
    setCommand,
    unsetCommand,
    editCommand,
    historyCommand,
    rollbackCommand,
    rekeyCommand,
    verifyCommand,
    renderDefinition,
    sealCommand,
    unsealCommand,
  ].map((command) => [command.name, command]),
);

/** `completion bash|zsh|fish` is generated from these definitions (and exec's). */
export { completionScript } from "./completion";
