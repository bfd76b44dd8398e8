// Whether a path is something execve could open as a program, and the errors
// for when it is not. In Node 24 a failing process.execve aborts the whole
// process (SIGABRT, possibly a core dump full of secrets) instead of
// throwing, so every cause of failure is checked before calling it.
import { accessSync, constants, statSync } from "node:fs";
import { S3KmsEnvError } from "../errors";

export type Probe = "ok" | "missing" | "not-executable";

export function probe(path: string): Probe {
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

export function notFound(what: string, why = "command not found"): S3KmsEnvError {
  return new S3KmsEnvError("COMMAND_NOT_FOUND", `${what}: ${why}`);
}

export function notExecutable(what: string, why: string): S3KmsEnvError {
  return new S3KmsEnvError("COMMAND_NOT_EXECUTABLE", `${what}: ${why}`);
}
