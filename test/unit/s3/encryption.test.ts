import { execTrustedKeys, verifyEncryption } from "../../../src/s3/encryption";
import { parseS3Uri } from "../../../src/s3/location";

const loc = parseS3Uri("s3://bkt/env");
const ARN = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
const strict = { allowUnencrypted: false, trustedKeys: undefined };
const OTHER = "arn:aws:kms:us-east-1:123456789012:key/other";

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
        { ...strict, trustedKeys: ["1111-2222"] },
      ),
    ).not.toThrow();
  });

  test("refuses an object under another key", () => {
    expect(() =>
      verifyEncryption(
        loc,
        { serverSideEncryption: "aws:kms", kmsKeyArn: ARN },
        { ...strict, trustedKeys: [OTHER] },
      ),
    ).toThrow(expect.objectContaining({ code: "WRONG_KMS_KEY" }) as Error);
  });

  test.each([[[ARN, OTHER]], [[OTHER, ARN]]])(
    "accepts an object under any key of the trusted list %j",
    (trustedKeys) => {
      expect(() =>
        verifyEncryption(
          loc,
          { serverSideEncryption: "aws:kms", kmsKeyArn: ARN },
          { ...strict, trustedKeys },
        ),
      ).not.toThrow();
    },
  );

  test("names every trusted key when refusing an object under another key", () => {
    expect(() =>
      verifyEncryption(
        loc,
        { serverSideEncryption: "aws:kms", kmsKeyArn: ARN },
        { ...strict, trustedKeys: [OTHER, "3333-4444"] },
      ),
    ).toThrow(
      `s3://bkt/env is encrypted with KMS key ${ARN}, not a trusted key (trusted: ${OTHER}, 3333-4444); refusing to trust it. Upload it again under a trusted key, or trust its key only if you know who can write with it`,
    );
  });

  test("refuses an unencrypted object when allowed but trusted keys are named", () => {
    expect(() =>
      verifyEncryption(
        loc,
        { serverSideEncryption: undefined, kmsKeyArn: undefined },
        { allowUnencrypted: true, trustedKeys: [ARN] },
      ),
    ).toThrow(expect.objectContaining({ code: "NOT_KMS_ENCRYPTED" }) as Error);
  });
});

describe("execTrustedKeys", () => {
  const none = { anyKey: false, allowUnencrypted: false };

  test("refuses to go on when no key is named and no opt-out is given", () => {
    expect(() => execTrustedKeys([], none)).toThrow(
      expect.objectContaining({ code: "NO_TRUSTED_KEY" }) as Error,
    );
  });

  test("returns the named keys", () => {
    expect(execTrustedKeys([ARN, OTHER], none)).toEqual([ARN, OTHER]);
  });

  test.each([
    [{ anyKey: true, allowUnencrypted: false }],
    [{ anyKey: false, allowUnencrypted: true }],
  ])("trusts any key under the development opt-out %j", (optOuts) => {
    expect(execTrustedKeys([], optOuts)).toBeUndefined();
  });
});
