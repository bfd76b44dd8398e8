// What a command is: its name, its help (one-line summary, usage, what it
// does, an example, its options) and how it runs. Each command is defined
// once, in cli/commands/<name>.ts; help is rendered from the definitions
// (cli/help.ts). The help text sits in a function so that a container start,
// which runs exec's definition, never evaluates it.
import type { StdioState } from "../exec/stdio";
import type { Logger } from "../log";
import type { Env } from "./options";

export interface CommandHelp {
  /** One line for the main help's list of commands. */
  readonly summary: string;
  /** What follows "s3-kms-env <name> " on the usage line: options and arguments. */
  readonly usage: string;
  readonly description: string;
  /** Command lines (or Dockerfile lines) that show it in use. */
  readonly example: readonly string[];
  /** The options, as shown under the example. */
  readonly options: string;
}

/** --help: prints the command's help (cli/help.ts, loaded only now) and exits 0. */
export async function showHelp(command: Pick<CommandDefinition, "name" | "help">): Promise<number> {
  const { printCommandHelp } = await import("./help");
  printCommandHelp(command);
  return 0;
}

/** An option as util.parseArgs takes it: what shell completion is generated from. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
}

export interface CommandDefinition {
  readonly name: string;
  readonly help: () => CommandHelp;
  /** Its options (completion/completion.ts lists them); none listed when absent. */
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly run: (
    argv: string[],
    env: Env,
    setLog: (l: Logger) => void,
    stdio: StdioState,
  ) => Promise<number>;
}
