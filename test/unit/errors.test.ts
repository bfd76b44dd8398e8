import { hasCode, InterruptedError, S3KmsEnvError, tooLarge, usageError } from "../../src/errors";

describe("S3KmsEnvError", () => {
  test("recognises an error from another copy of the module by its brand", () => {
    const foreign = Object.assign(new Error("from the ops bundle"), {
      [Symbol.for("s3-kms-env.error")]: true,
      code: "USAGE",
    });
    expect(foreign instanceof S3KmsEnvError).toBe(true);
    expect(hasCode(foreign, "USAGE")).toBe(true);
  });

  test("does not take a plain Error for one of its own", () => {
    expect(new Error("x") instanceof S3KmsEnvError).toBe(false);
    expect(hasCode(Object.assign(new Error("x"), { code: "USAGE" }), "USAGE")).toBe(false);
  });
});

describe("hasCode", () => {
  test("is true for any of the codes given", () => {
    expect(hasCode(usageError("x"), "BAD_URI", "USAGE")).toBe(true);
  });

  test("is false for another code", () => {
    expect(hasCode(new S3KmsEnvError("CONFLICT", "x"), "NO_SUCH_KEY")).toBe(false);
  });
});

describe("factories", () => {
  test("tooLarge names the limit and what to do", () => {
    expect(tooLarge("s3://b/k is larger than", 16)).toMatchObject({
      code: "TOO_LARGE",
      message: "s3://b/k is larger than the 16-byte limit; raise --max-size if this is intended",
    });
  });

  test("an interruption carries its signal", () => {
    expect(new InterruptedError("SIGTERM", "x")).toMatchObject({
      code: "INTERRUPTED",
      signal: "SIGTERM",
    });
  });
});
