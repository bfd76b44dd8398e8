import {
  checkContext,
  contextPairs,
  expectedContext,
  objectPlace,
} from "../../../src/sealed/context";

describe("the encryption context a sealed file is bound to", () => {
  test("always holds purpose=s3-kms-env", () => {
    expect(expectedContext(undefined)).toEqual({ purpose: "s3-kms-env" });
  });

  test("binds an S3 object by bucket and key", () => {
    expect(expectedContext("s3://b/prod/api.env", { app: "api" })).toEqual({
      app: "api",
      purpose: "s3-kms-env",
      "s3-object": "s3://b/prod/api.env",
    });
  });

  test("an object's place leaves out its version", () => {
    expect(objectPlace({ bucket: "b", key: "k.env" })).toBe("s3://b/k.env");
  });
});

describe("contextPairs: --context NAME=VALUE", () => {
  test("keeps everything after the first = as the value", () => {
    expect(contextPairs(["app=api", "url=a=b"])).toEqual({ app: "api", url: "a=b" });
  });

  test.each([
    ["=x", '--context takes NAME=VALUE (got "=x")'],
    ["app", '--context takes NAME=VALUE (got "app")'],
    ["purpose=x", "--context purpose: that name is set by s3-kms-env or the Encryption SDK"],
    ["s3-object=x", "--context s3-object: that name is set by s3-kms-env or the Encryption SDK"],
    [
      "aws-crypto-public-key=x",
      "--context aws-crypto-public-key: that name is set by s3-kms-env or the Encryption SDK",
    ],
  ])("refuses %s", (pair, message) => {
    expect(() => contextPairs([pair])).toThrow(
      expect.objectContaining({ code: "USAGE", message }) as Error,
    );
  });

  test("refuses a name given twice", () => {
    expect(() => contextPairs(["a=1", "a=2"])).toThrow("--context a is given twice");
  });
});

describe("checkContext: the message must carry every expected pair", () => {
  const expected = expectedContext("s3://b/k", { app: "api" });

  test("accepts extra pairs, such as the SDK's public key", () => {
    expect(() =>
      checkContext("f", { ...expected, "aws-crypto-public-key": "AAA" }, expected),
    ).not.toThrow();
  });

  test("refuses a message bound to an object where a local file is expected", () => {
    expect(() => checkContext("f", expected, expectedContext(undefined, { app: "api" }))).toThrow(
      expect.objectContaining({
        code: "SEALED_CONTEXT_MISMATCH",
        message: expect.stringContaining(
          'f was sealed for s3-object="s3://b/k", not for a local file',
        ) as string,
      }) as Error,
    );
  });

  test("refuses a message sealed for another object", () => {
    expect(() =>
      checkContext("s3://b/k", { ...expected, "s3-object": "s3://b/other" }, expected),
    ).toThrow(
      expect.objectContaining({
        code: "SEALED_CONTEXT_MISMATCH",
        message:
          's3://b/k was sealed for s3-object="s3://b/other", not "s3://b/k": it belongs elsewhere (copied or swapped); seal it again for this place, or pass the --context it was sealed with',
      }) as Error,
    );
  });

  test("refuses a message without an expected pair", () => {
    expect(() =>
      checkContext("f", { purpose: "s3-kms-env" }, { purpose: "s3-kms-env", app: "api" }),
    ).toThrow('f was sealed for app=none, not "api"');
  });
});
