import { S3KmsEnvError, SourceError, UsageError } from "../../src/errors";

describe("S3KmsEnvError", () => {
  test("recognises an error from another copy of the module by its brand", () => {
    const foreign = Object.assign(new Error("from the ops bundle"), {
      [Symbol.for("s3-kms-env.error")]: true,
      code: "USAGE",
      exitCode: 125,
    });
    expect(foreign instanceof S3KmsEnvError).toBe(true);
  });

  test("does not take a plain Error for one of its own", () => {
    expect(new Error("x") instanceof S3KmsEnvError).toBe(false);
  });

  test("keeps subclasses apart", () => {
    expect(new UsageError("x") instanceof SourceError).toBe(false);
    expect(new SourceError("BAD_URI", "x") instanceof SourceError).toBe(true);
    expect(new SourceError("BAD_URI", "x") instanceof S3KmsEnvError).toBe(true);
  });
});
