import { s3Failure } from "../../../src/ops/s3-failure";

const URI = "s3://b/k";
const sdkError = (name: string, status: number, message = "") =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe("s3Failure", () => {
  test.each([
    ["NoSuchKey", 404, "", "GetObject", "NO_SUCH_KEY"],
    ["NotFound", 404, "", "HeadObject", "NO_SUCH_KEY"],
    ["NoSuchBucket", 404, "", "PutObject", "NO_SUCH_BUCKET"],
    ["NoSuchVersion", 404, "", "GetObject", "NO_SUCH_VERSION"],
    ["PreconditionFailed", 412, "", "PutObject", "CONFLICT"],
    ["ConditionalRequestConflict", 409, "", "PutObject", "CONFLICT"],
    ["AccessDenied", 403, "Access Denied", "PutObject", "S3_ACCESS_DENIED"],
    [
      "AccessDenied",
      403,
      "not authorized to perform: kms:GenerateDataKey",
      "PutObject",
      "KMS_ACCESS_DENIED",
    ],
    ["KMS.DisabledException", 400, "", "PutObject", "KMS_KEY_DISABLED"],
    ["KMS.KMSInvalidStateException", 400, "", "CopyObject", "KMS_KEY_DISABLED"],
    ["KMS.NotFoundException", 400, "", "PutObject", "KMS_ERROR"],
    ["SlowDown", 503, "", "PutObject", "THROTTLED"],
    ["ExpiredToken", 400, "", "GetObject", "CREDENTIALS_REJECTED"],
    ["PermanentRedirect", 301, "", "GetObject", "WRONG_REGION"],
    ["TimeoutError", 0, "", "GetObject", "TIMEOUT"],
    ["InternalError", 500, "", "GetObject", "S3_ERROR"],
  ] as const)("%s (%i, %j) on %s is %s", (name, status, message, action, code) => {
    expect(s3Failure(sdkError(name, status, message), URI, action).code).toBe(code);
  });

  test("names the KMS action S3 was refused, from its message", () => {
    const err = sdkError(
      "AccessDenied",
      403,
      "User: x is not authorized to perform: kms:Decrypt on resource: k",
    );
    expect(s3Failure(err, URI, "CopyObject").message).toBe(
      `${URI}: KMS denied kms:Decrypt; grant kms:Decrypt on the KMS key to this role (IAM policy and key policy)`,
    );
  });

  test("names the S3 permission of the action for S3's own refusal", () => {
    expect(s3Failure(sdkError("AccessDenied", 403), URI, "ListObjectVersions").message).toBe(
      `${URI}: access denied by S3 (s3:ListBucketVersions); check the role's policy and the bucket policy`,
    );
  });

  test("reports a connection failure by its code", () => {
    const err = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(s3Failure(err, URI, "GetObject")).toMatchObject({
      code: "NETWORK",
      message: `${URI}: cannot reach S3 (ECONNREFUSED)`,
    });
  });

  test("never repeats S3's message for an unknown error", () => {
    const err = sdkError("Weird", 400, "value=hunter2");
    expect(s3Failure(err, URI, "PutObject").message).toBe(`${URI}: S3 answered Weird to PutObject`);
  });
});
