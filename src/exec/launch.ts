// Become the app. With process.execve the app takes over this PID (PID 1 in a
// container), gets signals straight from the runtime, and nothing of
// s3-kms-env stays resident. Without it, spawn the app and forward signals.
import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { S3KmsEnvError } from "../errors";
import { checkArgumentSpace } from "./limits";
import { checkExecutableFormat } from "./format";
import { notExecutable, notFound } from "./probe";
import { resolveCommand } from "./resolve";
import { restoreStdio, type StdioState } from "./stdio";

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

/**
 * What this Node's process.execve does when the kernel refuses: 26.1 is the
 * first release where it throws. Before that it aborts the whole process
 * (SIGABRT, a native stack trace, and a core dump holding every secret in
 * memory), and no check made beforehand can rule out every refusal (a file
 * opened for writing between the check and the call, say).
 */
export type ExecveSupport = "throws" | "aborts" | "missing";

export function execveSupport(
  runtime: { readonly execve: unknown; readonly version: string } = {
    execve: (process as { execve?: unknown }).execve,
    version: process.versions.node,
  },
): ExecveSupport {
  if (typeof runtime.execve !== "function") return "missing";
  const [major = 0, minor = 0] = runtime.version.split(".").map(Number);
  return major > 26 || (major === 26 && minor >= 1) ? "throws" : "aborts";
}

const REFUSALS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOEXEC: "not an executable format the kernel accepts",
  ETXTBSY: "text file busy (the file is open for writing)",
  EISDIR: "an interpreter is a directory",
  ELIBBAD: "the ELF interpreter is corrupt",
  ELOOP: "too many symbolic links or nested #! interpreters",
  ENAMETOOLONG: "file name too long",
  EINVAL: "the ELF binary is not valid for this system",
  EIO: "the kernel could not load it or its ELF interpreter as a program",
  ENOMEM: "not enough memory to start it",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
};

/** The error for the errno execve failed with; `shown` is the command as given. */
export function execFailure(err: unknown, shown: string): S3KmsEnvError {
  const code = (err as { code?: unknown }).code;
  const errno = typeof code === "string" ? code : "unknown error";
  if (errno === "ENOENT" || errno === "ENOTDIR") {
    return notFound(shown, `not found when it was started (${errno})`);
  }
  if (errno === "E2BIG") {
    return new S3KmsEnvError(
      "ENV_TOO_LARGE",
      `${shown}: the environment and arguments are too large for this system (E2BIG)`,
    );
  }
  return notExecutable(
    shown,
    `cannot execute: ${REFUSALS[errno] ?? "refused by the kernel"} (${errno})`,
  );
}

// Node ignores SIGPIPE and SIGXFSZ, and ignored signals survive execve: the
// app would start with them ignored. Installing and removing a listener
// resets each to its default disposition.
const IGNORED_BY_NODE = ["SIGPIPE", "SIGXFSZ"] as const;
const noop = (): void => {};

function restoreDefaultSignals(): void {
  for (const signal of IGNORED_BY_NODE) {
    process.on(signal, noop);
    process.off(signal, noop);
  }
}

/** After a refused execve: a write to a closed stderr must fail, not kill us silently. */
function catchSignalsAgain(): void {
  for (const signal of IGNORED_BY_NODE) process.on(signal, noop);
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

/** Becomes the app; only returns, by throwing, if the kernel refused (Node >= 26.1). */
export function replaceProcess(plan: ExecPlan, stdio: StdioState): never {
  flushCompileCache();
  restoreDefaultSignals();
  restoreStdio(stdio);
  const execve = (process as unknown as { execve: Execve }).execve;
  try {
    return execve(plan.file, [...plan.argv], { ...plan.env });
  } catch (err) {
    catchSignalsAgain();
    throw execFailure(err, plan.argv[0] ?? plan.file);
  }
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
  return new Promise((resolve, reject) => {
    const [argv0 = plan.file, ...args] = plan.argv;
    // Listening before the child exists: a signal that came between spawn()
    // and the listeners would kill s3-kms-env (TERM, INT…) and orphan the app,
    // or be dropped (WINCH). Listeners run on the event loop, so never before
    // spawn() has returned and `child` is set.
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    for (const s of FORWARDED) process.on(s, forward);
    const failed = (err: unknown): void => {
      for (const s of FORWARDED) process.off(s, forward);
      reject(execFailure(err, argv0));
    };
    let child: ChildProcess;
    try {
      // Some refusals (ETXTBSY, say) are thrown here, others come as 'error'.
      child = spawn(plan.file, args, { argv0, env: plan.env, stdio: "inherit" });
    } catch (err) {
      failed(err);
      return;
    }
    child.on("error", failed);
    child.on("exit", (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0));
    });
  });
}
