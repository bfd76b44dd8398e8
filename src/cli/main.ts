// The command line: picks the command, maps every error to its exit code and
// one line on stderr, and is the only place that exits. Commands other than
// exec are imported on demand so a container start never loads them.
import { S3KmsEnvError, usageError } from "../errors";
import { EXIT, exitCodeFor } from "./exit-codes";
import { createLogger, serverText, type Logger } from "../log";
import type { CodeCacheState } from "../boot/contract";
import type { StdioState } from "../exec/stdio";
import type { CommandDefinition } from "./command";
import type { Env } from "./options";

/** What the process was like when it started, before Node or we changed anything. */
export interface Startup {
  readonly codeCache: CodeCacheState;
  readonly stdio: StdioState;
}

const execDefinition = async (): Promise<CommandDefinition> =>
  (await import("./commands/exec")).execDefinition;

/** The ops commands are a bundle of their own: loaded only when one of them (or help) is asked for. */
const opsCommands = async (): Promise<Readonly<Record<string, CommandDefinition>>> =>
  (await import("./ops-commands")).opsCommands;

/**
 * The "at …" lines of a stack, without the message. The stack is cut at the
 * end of the error's own header ("Name: message"), not filtered line by
 * line: a message line of its own may look like a frame ("    at SECRET").
 * A stack that does not start with its message shows no frames at all.
 */
export function stackFrames(err: Error): string[] {
  const stack = err.stack ?? "";
  const at = err.message === "" ? -1 : stack.indexOf(err.message);
  if (err.message !== "" && at === -1) return [];
  const frames =
    at === -1 ? stack.slice(stack.indexOf("\n") + 1) : stack.slice(at + err.message.length);
  return frames
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.trim());
}

function report(err: unknown, log: Logger): number {
  if (err instanceof S3KmsEnvError) {
    log.error(err.message, { code: err.code });
    return exitCodeFor(err);
  }
  // Not ours: its message could quote anything, so show only its kind, and
  // with --debug the stack frames without the message line.
  // An SDK error's name can be a server's error code.
  const name = serverText(err instanceof Error ? err.name : typeof err);
  log.error(`internal error (${name}); please report it`, { code: "INTERNAL" });
  if (err instanceof Error) log.debug("stack", { frames: stackFrames(err) });
  return EXIT.failure;
}

async function dispatch(
  argv: string[],
  env: Env,
  setLog: (l: Logger) => void,
  stdio: StdioState,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const [{ printHelp }, exec, ops] = await Promise.all([
      import("./help"),
      execDefinition(),
      opsCommands(),
    ]);
    printHelp(rest[0], exec, Object.values(ops));
    return name === undefined ? EXIT.failure : EXIT.ok;
  }
  if (name === "completion") {
    const [ops, exec, { writeOutSync }] = await Promise.all([
      import("./ops-commands"),
      execDefinition(),
      import("./output"),
    ]);
    if (rest.length > 1) throw usageError("completion takes one shell: bash, zsh, fish");
    writeOutSync(ops.completionScript(rest[0], [exec, ...Object.values(ops.opsCommands)]));
    return EXIT.ok;
  }
  if (name === "--version" || name === "version") {
    const { printVersion } = await import("./help");
    printVersion();
    return EXIT.ok;
  }
  const command =
    name === "exec"
      ? await execDefinition()
      : Object.hasOwn(await opsCommands(), name)
        ? (await opsCommands())[name]
        : undefined;
  if (command === undefined) throw usageError(`unknown command "${name}"; see s3-kms-env --help`);
  return command.run(rest, env, setLog, stdio);
}

export async function main(argv: string[], env: Env, startup: Startup): Promise<never> {
  let log = createLogger(env.S3_KMS_ENV_LOG_FORMAT === "json" ? "json" : "text");
  // A command sets the logger once it has read --debug/--quiet/--log-format.
  const setLog = (l: Logger): void => {
    log = l;
    log.debug("start-up", { code_cache: startup.codeCache });
  };
  let code: number;
  try {
    code = await dispatch(argv, env, setLog, startup.stdio);
  } catch (err) {
    code = report(err, log);
  }
  process.exit(code);
}
