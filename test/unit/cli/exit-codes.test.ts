import { exitCodeFor } from "../../../src/cli/exit-codes";
import { InterruptedError, S3KmsEnvError, type ErrorCode } from "../../../src/errors";

describe("exitCodeFor: the one table from an error's code to the exit code", () => {
  test.each([
    ["COMMAND_NOT_FOUND", 127],
    ["COMMAND_NOT_EXECUTABLE", 126],
    ["USAGE", 125],
    ["NO_SUCH_KEY", 125],
    ["ENV_TOO_LARGE", 125],
    ["CONFLICT", 125],
    ["NO_PROFILE", 125],
    ["AWS_CONFIG", 125],
    ["PROXY_REFUSED", 125],
    ["TLS_CERTIFICATE", 125],
    ["NOT_SEALED", 125],
    ["SEALED_CORRUPT", 125],
    ["SEALED_CONTEXT_MISMATCH", 125],
    ["SEALED_KEY_NOT_TRUSTED", 125],
  ] as const)("%s exits %i", (code: ErrorCode, exit) => {
    expect(exitCodeFor(new S3KmsEnvError(code, "x"))).toBe(exit);
  });

  test.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
  ] as const)("INTERRUPTED by %s exits %i", (signal, exit) => {
    expect(exitCodeFor(new InterruptedError(signal, "x"))).toBe(exit);
  });

  test("an INTERRUPTED from the ops bundle's copy of errors.ts is read by its signal field", () => {
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("s3-kms-env.error")]: true,
      code: "INTERRUPTED",
      signal: "SIGTERM",
    }) as unknown as S3KmsEnvError;
    expect(exitCodeFor(foreign)).toBe(143);
  });
});
