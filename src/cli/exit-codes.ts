// The one table from an error's code to the process's exit code, as `env`
// and `docker run` use them: 125 s3-kms-env failed, 126 the command is not
// executable, 127 it was not found, 128+N a signal N ended the run first.
import { constants } from "node:os";
import type { ErrorCode, S3KmsEnvError } from "../errors";

export const EXIT = { ok: 0, failure: 125, notExecutable: 126, notFound: 127 } as const;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  COMMAND_NOT_EXECUTABLE: EXIT.notExecutable,
  COMMAND_NOT_FOUND: EXIT.notFound,
};

/** 128 + the signal's number. */
export function signalExit(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export function exitCodeFor(err: S3KmsEnvError): number {
  // Read as a field, not by class: the ops bundle has its own copy of errors.ts.
  const signal = (err as { signal?: NodeJS.Signals }).signal;
  if (err.code === "INTERRUPTED" && signal !== undefined) return signalExit(signal);
  return BY_CODE[err.code] ?? EXIT.failure;
}
