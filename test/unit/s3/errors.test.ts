// The one S3 error classification (src/s3/errors.ts), for exec's lean GET and
// the ops commands: every S3 and KMS error code either handles, with the code,
// the exact message and the exit code it leads to.
import { RESOLVE, kmsLookupError } from "../../../src/aws/kms-key";
import { exitCodeFor } from "../../../src/cli/exit-codes";
import { S3KmsEnvError } from "../../../src/errors";
import {
  CLASSIFIED_S3_CODES,
  classifyS3Error,
  type S3Action,
  type S3Request,
} from "../../../src/s3/errors";
import { s3Failure } from "../../../src/ops/s3-client";

const U = "s3://b/k";
const V = "s3://b/k?versionId=v1";

function request(caller: "exec" | "ops", action: S3Action, versioned = false): S3Request {
  return {
    uri: versioned ? V : U,
    bucket: "b",
    versionId: versioned ? "v1" : undefined,
    action,
    caller,
  };
}

type Row = readonly [
  s3Code: string | undefined,
  status: number,
  s3Message: string,
  req: S3Request,
  code: string,
  message: string,
];

const exec = (versioned = false): S3Request => request("exec", "GetObject", versioned);
const ops = (action: S3Action, versioned = false): S3Request => request("ops", action, versioned);

/** The same answer to exec and to an ops request: one row per S3 code and caller. */
function forBoth(
  s3Codes: readonly string[],
  status: number,
  opsAction: S3Action,
  code: string,
  message: (s3Code: string) => string,
): Row[] {
  return s3Codes.flatMap((c) =>
    [exec(), ops(opsAction)].map((req): Row => [c, status, "", req, code, message(c)]),
  );
}

const ROWS: readonly Row[] = [
  ["NoSuchBucket", 404, "", exec(), "NO_SUCH_BUCKET", `bucket "b" does not exist`],
  ["NoSuchBucket", 404, "", ops("PutObject"), "NO_SUCH_BUCKET", `bucket "b" does not exist`],
  ["NoSuchKey", 404, "", exec(), "NO_SUCH_KEY", `${U} does not exist`],
  ["NotFound", 404, "", ops("HeadObject"), "NO_SUCH_KEY", `${U} does not exist`],
  [undefined, 404, "", exec(), "NO_SUCH_KEY", `${U} does not exist`],
  ["NoSuchVersion", 404, "", exec(true), "NO_SUCH_VERSION", `${V}: no such object version`],
  ["InvalidArgument", 400, "", exec(true), "NO_SUCH_VERSION", `${V}: the versionId is not valid`],
  [
    "InvalidArgument",
    400,
    "",
    ops("GetObject", true),
    "NO_SUCH_VERSION",
    `${V}: the versionId is not valid`,
  ],
  ["InvalidArgument", 400, "", exec(), "S3_ERROR", `${U}: S3 answered InvalidArgument`],
  ...(["PreconditionFailed", "ConditionalRequestConflict"] as const).map((c): Row => [
    c,
    412,
    "",
    ops("PutObject"),
    "CONFLICT",
    `${U} was changed by someone else meanwhile; nothing was written`,
  ]),
  ...forBoth(
    [
      "InvalidAccessKeyId",
      "SignatureDoesNotMatch",
      "ExpiredToken",
      "TokenRefreshRequired",
      "InvalidToken",
    ],
    403,
    "GetObject",
    "CREDENTIALS_REJECTED",
    (c) => `${U}: S3 rejected the credentials (${c}); refresh or fix them`,
  ),
  ...forBoth(
    ["PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"],
    301,
    "PutObject",
    "WRONG_REGION",
    () => `${U}: the bucket is in another region; set AWS_REGION accordingly`,
  ),
  ...(["KMS.DisabledException", "KMS.KMSInvalidStateException"] as const).flatMap((c): Row[] => [
    [
      c,
      400,
      "",
      exec(),
      "KMS_KEY_DISABLED",
      `${U}: the object's KMS key is disabled or pending deletion (${c}); enable the key or re-encrypt the object`,
    ],
    [
      c,
      400,
      "",
      ops("GetObject"),
      "KMS_KEY_DISABLED",
      `${U}: the KMS key is disabled or pending deletion (${c}); enable the key (or cancel its deletion): only it can decrypt the object`,
    ],
    [
      c,
      400,
      "",
      ops("CopyObject"),
      "KMS_KEY_DISABLED",
      `${U}: the KMS key is disabled or pending deletion (${c}); enable the key or use another with --kms-key-id`,
    ],
  ]),
  [
    "KMS.NotFoundException",
    400,
    "",
    ops("PutObject"),
    "KMS_ERROR",
    `${U}: the KMS key does not exist (KMS.NotFoundException); check --kms-key-id and the region`,
  ],
  [
    "KMS.InternalException",
    500,
    "",
    exec(),
    "KMS_ERROR",
    `${U}: KMS failed to decrypt the object (KMS.InternalException)`,
  ],
  [
    "KMS.InternalException",
    500,
    "",
    ops("GetObject"),
    "KMS_ERROR",
    `${U}: KMS failed (KMS.InternalException)`,
  ],
  ...forBoth(
    [
      "SlowDown",
      "KMS.ThrottlingException",
      "KMS.LimitExceededException",
      "RequestLimitExceeded",
      "Throttling",
    ],
    503,
    "PutObject",
    "THROTTLED",
    (c) => `${U}: throttled by AWS (${c}) after retries`,
  ),
  [undefined, 503, "", exec(), "THROTTLED", `${U}: throttled by AWS (SlowDown) after retries`],
  [
    "RequestTimeout",
    400,
    "",
    ops("PutObject"),
    "TIMEOUT",
    `${U}: S3 did not answer in time; check the network path or raise --timeout`,
  ],
  [
    "AccessDenied",
    403,
    "Access Denied",
    exec(),
    "S3_ACCESS_DENIED",
    `${U}: access denied by S3 (s3:GetObject); check the role's policy and the bucket policy`,
  ],
  [
    "AccessDenied",
    403,
    "Access Denied",
    exec(true),
    "S3_ACCESS_DENIED",
    `${V}: access denied by S3 (s3:GetObjectVersion); check the role's policy and the bucket policy`,
  ],
  [
    "AccessDenied",
    403,
    "Access Denied",
    ops("GetObject", true),
    "S3_ACCESS_DENIED",
    `${V}: access denied by S3 (s3:GetObjectVersion); check the role's policy and the bucket policy`,
  ],
  ...(
    [
      ["HeadObject", "s3:GetObject"],
      ["PutObject", "s3:PutObject"],
      ["CopyObject", "s3:GetObject and s3:PutObject"],
      ["ListObjectVersions", "s3:ListBucketVersions"],
      ["ListObjectsV2", "s3:ListBucket"],
    ] as const
  ).map(([action, permission]): Row => [
    "AccessDenied",
    403,
    "Access Denied",
    ops(action),
    "S3_ACCESS_DENIED",
    `${U}: access denied by S3 (${permission}); check the role's policy and the bucket policy`,
  ]),
  [
    "Forbidden",
    403,
    "",
    ops("HeadObject"),
    "S3_ACCESS_DENIED",
    `${U}: access denied by S3 (s3:GetObject); check the role's policy and the bucket policy`,
  ],
  [
    "AccessDenied",
    403,
    "The ciphertext refers to a customer master key that does not exist or KMS denied",
    exec(),
    "KMS_ACCESS_DENIED",
    `${U}: KMS refused to decrypt the object (kms:Decrypt denied on its key); grant kms:Decrypt on the key to this role`,
  ],
  [
    "AccessDenied",
    403,
    "User: x is not authorized to perform: kms:Decrypt on resource: k",
    ops("CopyObject"),
    "KMS_ACCESS_DENIED",
    `${U}: KMS denied kms:Decrypt; grant kms:Decrypt on the KMS key to this role (IAM policy and key policy)`,
  ],
  ...(
    [
      ["GetObject", "kms:Decrypt"],
      ["PutObject", "kms:GenerateDataKey"],
      ["CopyObject", "kms:Decrypt and kms:GenerateDataKey"],
    ] as const
  ).map(([action, permission]): Row => [
    "AccessDenied",
    403,
    "denied by KMS",
    ops(action),
    "KMS_ACCESS_DENIED",
    `${U}: KMS denied ${permission}; grant ${permission} on the KMS key to this role (IAM policy and key policy)`,
  ]),
  ["InternalError", 500, "value=hunter2", exec(), "S3_ERROR", `${U}: S3 answered InternalError`],
  [
    "InternalError",
    500,
    "value=hunter2",
    ops("PutObject"),
    "S3_ERROR",
    `${U}: S3 answered InternalError to PutObject`,
  ],
  [undefined, 500, "", exec(), "S3_ERROR", `${U}: S3 answered HTTP500`],
];

describe("classifyS3Error: one table for exec and ops", () => {
  test.each(ROWS)("%s (%i, %j) %o → %s", (s3Code, status, s3Message, req, code, message) => {
    const classified = classifyS3Error(
      { code: s3Code, status, message: s3Message, bucketRegion: undefined },
      req,
    );
    expect(classified).toEqual({ code, message });
    expect(exitCodeFor(new S3KmsEnvError(classified.code, classified.message))).toBe(125);
  });

  test("every S3 code the table names has a row", () => {
    const tested = new Set(ROWS.map((row) => row[0]));
    expect(CLASSIFIED_S3_CODES.filter((c) => !tested.has(c))).toEqual([]);
  });

  test("names the bucket's region when S3 sends it, bounded", () => {
    const classified = classifyS3Error(
      { code: "PermanentRedirect", status: 301, message: "", bucketRegion: "eu-west-1" },
      exec(),
    );
    expect(classified.message).toBe(`${U}: the bucket is in eu-west-1; set AWS_REGION accordingly`);
  });

  test("never repeats S3's message, and bounds its code", () => {
    const classified = classifyS3Error(
      { code: "X".repeat(500), status: 400, message: "value=hunter2", bucketRegion: undefined },
      exec(),
    );
    expect(classified.message).not.toContain("hunter2");
    expect(classified.message.length).toBeLessThan(300);
  });
});

describe("kmsLookupError: KMS's answers to a DescribeKey lookup", () => {
  test.each([
    ["NotFoundException", "KMS_ERROR", "KMS key alias/x does not exist in us-east-1"],
    [
      "AccessDeniedException",
      "KMS_ACCESS_DENIED",
      "cannot resolve alias/x: kms:DescribeKey denied; pass the key ARN instead of an alias",
    ],
    ["KMSInternalException", "KMS_ERROR", "cannot resolve alias/x (KMSInternalException)"],
    [undefined, "KMS_ERROR", "cannot resolve alias/x (KMS error)"],
  ] as const)("%s → %s", (name, code, message) => {
    const err = kmsLookupError(name, "alias/x", RESOLVE, "us-east-1");
    expect(err).toMatchObject({ code, message });
    expect(exitCodeFor(err as S3KmsEnvError)).toBe(125);
  });

  test.each(["AbortError", "TimeoutError"])("%s is left to the deadline's message", (name) => {
    expect(kmsLookupError(name, "alias/x", RESOLVE, "us-east-1")).toBeUndefined();
  });
});

describe("s3Failure: an SDK error of an ops request", () => {
  const sdkError = (name: string, status: number | undefined, message = "") =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  test("goes through the same table", () => {
    expect(s3Failure(sdkError("TokenRefreshRequired", 400), U, "GetObject")).toMatchObject({
      code: "CREDENTIALS_REJECTED",
    });
  });

  test("the SDK's own timeout is TIMEOUT", () => {
    expect(s3Failure(sdkError("TimeoutError", undefined), U, "GetObject").code).toBe("TIMEOUT");
  });

  test("a connection failure is NETWORK, by its code", () => {
    const err = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(s3Failure(err, U, "GetObject")).toMatchObject({
      code: "NETWORK",
      message: `${U}: cannot reach S3 (ECONNREFUSED)`,
    });
  });
});
