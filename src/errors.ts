// The one error type: a stable code (the contract scripts and tests rely on)
// and a message. Every message says what went wrong and what to do, and is
// built only from names, URIs, key ids, counts and line numbers: never from a
// value read out of an env file. Callers branch on the code with hasCode();
// the exit code is chosen from the code at the CLI boundary (cli/exit-codes.ts).

export type ErrorCode =
  | "USAGE"
  | "BAD_URI"
  | "NO_REGION"
  | "NO_CREDENTIALS"
  | "NO_PROFILE"
  | "AWS_CONFIG"
  | "NO_SUCH_BUCKET"
  | "NO_SUCH_KEY"
  | "NO_SUCH_VERSION"
  | "WRONG_REGION"
  | "CREDENTIALS_REJECTED"
  | "S3_ACCESS_DENIED"
  | "KMS_ACCESS_DENIED"
  | "KMS_KEY_DISABLED"
  | "KMS_ERROR"
  | "THROTTLED"
  | "TIMEOUT"
  | "NETWORK"
  | "PROXY_REFUSED"
  | "TLS_CERTIFICATE"
  | "PROXY_ERROR"
  | "S3_ERROR"
  | "INTEGRITY"
  | "NOT_KMS_ENCRYPTED"
  | "WRONG_KMS_KEY"
  | "NO_TRUSTED_KEY"
  | "AWS_MANAGED_KEY"
  | "TOO_LARGE"
  | "NOT_UTF8"
  | "NUL_BYTE"
  | "PARSE"
  | "REFUSED_NAME"
  | "MISSING_REQUIRED"
  | "ENV_TOO_LARGE"
  | "COMMAND_NOT_FOUND"
  | "COMMAND_NOT_EXECUTABLE"
  // Ops commands (put, set, edit, rollback, rekey, …).
  | "CONFLICT"
  | "NOT_REPRESENTABLE"
  | "CANNOT_READ_FILE"
  | "CANNOT_WRITE_FILE"
  | "EDITOR_FAILED"
  | "EDIT_CANCELLED"
  | "INTERRUPTED"
  | "REKEY_INCOMPLETE"
  | "UNVERSIONED_BUCKET"
  // render.
  | "UNSAFE_PATH"
  | "NOT_TMPFS"
  // --notify (exec): the ops service did not take the event.
  | "NOTIFY_FAILED"
  // Sealed env files (src/sealed/).
  | "NOT_SEALED"
  | "SEALED_CORRUPT"
  | "SEALED_CONTEXT_MISMATCH"
  | "SEALED_KEY_NOT_TRUSTED";

// The ops commands are a bundle of their own (dist/vendor/ops.cjs) with their
// own copy of this module; a shared brand lets `instanceof S3KmsEnvError`
// recognise an error from either copy.
const BRAND = Symbol.for("s3-kms-env.error");

export class S3KmsEnvError extends Error {
  readonly code: ErrorCode;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== S3KmsEnvError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && BRAND in value;
  }
}

/** Whether `err` is one of ours with one of `codes`: the way to branch on an error. */
export function hasCode<C extends ErrorCode>(
  err: unknown,
  ...codes: C[]
): err is S3KmsEnvError & { readonly code: C } {
  return err instanceof S3KmsEnvError && (codes as ErrorCode[]).includes(err.code);
}

/** The code an audit event gives a failure: ours, or INTERNAL for anything else. */
export function errorCode(err: unknown): ErrorCode | "INTERNAL" {
  return err instanceof S3KmsEnvError ? err.code : "INTERNAL";
}

/** A signal ended the run before it could finish; the exit code is 128 + its number. */
export class InterruptedError extends S3KmsEnvError {
  constructor(
    readonly signal: NodeJS.Signals,
    message: string,
  ) {
    super("INTERRUPTED", message);
  }
}

/** The command line itself is wrong. */
export function usageError(message: string): S3KmsEnvError {
  return new S3KmsEnvError("USAGE", message);
}

/**
 * Input over --max-size. `subject` says what and how ("s3://b/k is larger
 * than"); the rest, and what to do about it, is the same everywhere.
 */
export function tooLarge(subject: string, maxBytes: number): S3KmsEnvError {
  return new S3KmsEnvError(
    "TOO_LARGE",
    `${subject} the ${maxBytes}-byte limit; raise --max-size if this is intended`,
  );
}
