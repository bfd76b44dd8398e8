import { verifyEncryption } from "../../src/source/verify";
import { parseS3Uri } from "../../src/source/uri";

const loc = parseS3Uri("s3://bkt/env");
const ARN = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
const strict = { allowUnencrypted: false, kmsKeyArn: undefined };

describe("verifyEncryption", () => {
  test.each(["aws:kms", "aws:kms:dsse"])("accepts %s", (sse) => {
    expect(() =>
      verifyEncryption(loc, { serverSideEncryption: sse, kmsKeyArn: ARN }, strict),
    ).not.toThrow();
  });

  test("refuses an unencrypted object", () => {
    expect(() =>
      verifyEncryption(loc, { serverSideEncryption: undefined, kmsKeyArn: undefined }, strict),
    ).toThrow(expect.objectContaining({ code: "NOT_KMS_ENCRYPTED" }) as Error);
  });

  test("refuses SSE-S3", () => {
    expect(() =>
      verifyEncryption(loc, { serverSideEncryption: "AES256", kmsKeyArn: undefined }, strict),
    ).toThrow("s3://bkt/env is not encrypted with SSE-KMS (it has AES256)");
  });

  test("accepts an unencrypted object when explicitly allowed", () => {
    expect(() =>
      verifyEncryption(
        loc,
        { serverSideEncryption: undefined, kmsKeyArn: undefined },
        { ...strict, allowUnencrypted: true },
      ),
    ).not.toThrow();
  });

  test("matches a pinned key given as a bare key id", () => {
    expect(() =>
      verifyEncryption(
        loc,
        { serverSideEncryption: "aws:kms", kmsKeyArn: ARN },
        { ...strict, kmsKeyArn: "1111-2222" },
      ),
    ).not.toThrow();
  });

  test("refuses an object under another key", () => {
    expect(() =>
      verifyEncryption(
        loc,
        { serverSideEncryption: "aws:kms", kmsKeyArn: ARN },
        { ...strict, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/other" },
      ),
    ).toThrow(expect.objectContaining({ code: "WRONG_KMS_KEY" }) as Error);
  });
});
