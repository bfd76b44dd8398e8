// The one error hierarchy. Every message says what went wrong and what to do,
// and is built only from names, URIs, key ids, counts and line numbers: never
// from a value read out of an env file.

/** Exit codes, as `env` and `docker run` use them. */
export const EXIT = {
  ok: 0,
  /** s3-kms-env itself failed (bad input, S3/KMS error, refused file). */
  failure: 125,
  notExecutable: 126,
  notFound: 127,
} as const;

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
  | "REKEY_INCOMPLETE";

// The ops commands are a bundle of their own (dist/vendor/ops.cjs) with their
// own copy of this module; a shared brand lets `instanceof S3KmsEnvError`
// recognise an error from either copy.
const BRAND = Symbol.for("s3-kms-env.error");

export class S3KmsEnvError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== S3KmsEnvError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && BRAND in value;
  }
}

/** The command line itself is wrong. */
export class UsageError extends S3KmsEnvError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** Reaching or reading a source failed (URI, S3, KMS, network, credentials). */
export class SourceError extends S3KmsEnvError {}

/** The object was read but is not encrypted the way policy requires. */
export class VerifyError extends S3KmsEnvError {}

/** The env file is not valid under the strict dotenv rules. */
export class EnvFileError extends S3KmsEnvError {}

/** The environment the file asks for is not allowed. */
export class PolicyError extends S3KmsEnvError {}

/** The command to run cannot be executed. */
export class CommandError extends S3KmsEnvError {}

/** An ops command (put, set, edit, rollback, rekey, …) could not finish. */
export class OpsError extends S3KmsEnvError {}
