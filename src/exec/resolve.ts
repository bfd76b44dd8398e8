// Find the program the way execvp would, but without its /bin/sh fallback,
// and check everything execve could fail on: in Node 24 a failing
// process.execve aborts the whole process (SIGABRT, possibly a core dump full
// of secrets) instead of throwing, so it must never be called on a path that
// would fail.
import { accessSync, closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { delimiter, resolve as resolvePath } from "node:path";
import { CommandError, EXIT } from "../errors";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

type Probe = "ok" | "missing" | "not-executable";

function probe(path: string): Probe {
  try {
    if (!statSync(path).isFile()) return "not-executable";
  } catch {
    return "missing";
  }
  try {
    accessSync(path, constants.X_OK);
    return "ok";
  } catch {
    return "not-executable";
  }
}

function notFound(what: string): CommandError {
  return new CommandError("COMMAND_NOT_FOUND", `${what}: command not found`, EXIT.notFound);
}

function notExecutable(what: string, why: string): CommandError {
  return new CommandError("COMMAND_NOT_EXECUTABLE", `${what}: ${why}`, EXIT.notExecutable);
}

/** Absolute path of the program, searching the child's PATH when it has no "/". */
export function resolveCommand(command: string, path: string | undefined): string {
  if (command === "") throw notFound("(empty command)");
  if (command.includes("/")) {
    const abs = resolvePath(command);
    const p = probe(abs);
    if (p === "missing") throw notFound(command);
    if (p === "not-executable")
      throw notExecutable(command, "permission denied (not an executable file)");
    return abs;
  }
  let sawNotExecutable = false;
  for (const dir of (path || DEFAULT_PATH).split(delimiter)) {
    // An empty PATH entry means the current directory, as in execvp.
    const candidate = resolvePath(dir === "" ? "." : dir, command);
    const p = probe(candidate);
    if (p === "ok") return candidate;
    if (p === "not-executable") sawNotExecutable = true;
  }
  if (sawNotExecutable) throw notExecutable(command, "permission denied (not an executable file)");
  throw notFound(command);
}

function readHead(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The kernel runs ELF binaries and "#!" scripts; anything else is ENOEXEC.
 * For a script, the interpreter must exist and be executable too. Returns the
 * strings the kernel adds to the arguments: none for a binary; for a script
 * its interpreter, the #! line's argument if any, and the script's path.
 */
export function checkExecutableFormat(path: string, shown: string): readonly string[] {
  let head: Buffer;
  try {
    head = readHead(path);
  } catch {
    throw notExecutable(shown, "cannot be read to check its format");
  }
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return [];
  if (head.subarray(0, 2).toString("latin1") !== "#!") {
    throw notExecutable(shown, "not an executable format (no ELF header and no #! line)");
  }
  const newline = head.indexOf(10);
  const line = head.subarray(2, newline === -1 ? head.length : newline).toString("utf8");
  const interpreter = line.trim().split(/[ \t]/)[0] ?? "";
  if (interpreter === "") throw notExecutable(shown, "its #! line names no interpreter");
  const p = probe(interpreter);
  if (p === "missing") {
    throw new CommandError(
      "COMMAND_NOT_FOUND",
      `${shown}: bad interpreter ${interpreter}: no such file`,
      EXIT.notFound,
    );
  }
  if (p === "not-executable")
    throw notExecutable(shown, `interpreter ${interpreter} is not executable`);
  // Linux passes the rest of the line, trimmed, as one argument.
  const argument = line.trim().slice(interpreter.length).trim();
  return argument === "" ? [interpreter, path] : [interpreter, argument, path];
}
