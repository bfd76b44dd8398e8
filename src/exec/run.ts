// Become the app. With process.execve the app takes over this PID (PID 1 in a
// container), gets signals straight from the runtime, and nothing of
// s3-kms-env stays resident. Without it, spawn the app and forward signals.
import { constants } from "node:os";
import { checkArgumentSpace } from "./limits";
import { checkExecutableFormat } from "./format";
import { resolveCommand } from "./resolve";

export interface ExecPlan {
  /** Absolute path of the program. */
  readonly file: string;
  /** argv as the program sees it; argv[0] is the command as given. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** Everything execve could fail on, checked up front (a failed process.execve aborts Node). */
export function planExec(
  command: readonly string[],
  env: Readonly<Record<string, string>>,
): ExecPlan {
  const [name = "", ...args] = command;
  const file = resolveCommand(name, env.PATH);
  const added = checkExecutableFormat(file, name);
  const argv = [name, ...args];
  checkArgumentSpace(argv, env, [file, ...added]);
  return { file, argv, env };
}

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

export function execveAvailable(): boolean {
  return typeof (process as { execve?: unknown }).execve === "function";
}

// Node ignores SIGPIPE and SIGXFSZ, and ignored signals survive execve: the
// app would start with them ignored. Installing and removing a listener
// resets each to its default disposition.
function restoreDefaultSignals(): void {
  const noop = (): void => {};
  for (const signal of ["SIGPIPE", "SIGXFSZ"] as const) {
    process.on(signal, noop);
    process.off(signal, noop);
  }
}

// Node writes a compile cache (NODE_COMPILE_CACHE) when it exits, which a
// process replaced by execve never does: write it now, so the next start
// reads the compiled code of what the core loaded (credential providers, say)
// instead of compiling it again. Without the variable, node:module is not
// even loaded.
function flushCompileCache(): void {
  if (process.env.NODE_COMPILE_CACHE === undefined) return;
  const module = process.getBuiltinModule("node:module");
  if (module.getCompileCacheDir() !== undefined) module.flushCompileCache();
}

export function replaceProcess(plan: ExecPlan): never {
  flushCompileCache();
  restoreDefaultSignals();
  const execve = (process as unknown as { execve: Execve }).execve;
  return execve(plan.file, [...plan.argv], { ...plan.env });
}

/** What --spawn passes on to the app. */
export const FORWARDED = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
] as const;

/** The fallback: run the app as a child, forward signals, resolve to its exit status. */
export function spawnAndForward(plan: ExecPlan): Promise<number> {
  // Loaded here: node:child_process costs ~5 ms that an execve start never needs.
  const { spawn } = process.getBuiltinModule("node:child_process");
  return new Promise((resolve) => {
    const [argv0 = plan.file, ...args] = plan.argv;
    // Listening before the child exists: a signal that came between spawn()
    // and the listeners would kill s3-kms-env (TERM, INT…) and orphan the app,
    // or be dropped (WINCH). Listeners run on the event loop, so never before
    // spawn() has returned and `child` is set.
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    for (const s of FORWARDED) process.on(s, forward);
    const child = spawn(plan.file, args, { argv0, env: plan.env, stdio: "inherit" });
    child.on("error", () => resolve(127));
    child.on("exit", (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0));
    });
  });
}
