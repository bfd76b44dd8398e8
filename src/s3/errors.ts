// The one S3 error classification: S3's answer (its error code, HTTP status
// and message) → our code and message, for exec's lean GET (fetch/) and the
// ops commands' SDK requests (ops/s3-client.ts) alike. It imports nothing of
// the SDK, so the hot path can use it. Messages are ours, built from the S3
// error code, the URI and the permission involved; S3's own text is read only
// to tell a KMS refusal from an S3 one and to name the KMS action it denied,
// and whatever of it is repeated goes through serverText first.
//
// Where exec and ops word a hint differently (a container start has no
// --kms-key-id to write with), the row says so with `caller`.
import type { ErrorCode } from "../errors";
import { serverText } from "../log";

export type S3Action =
  | "GetObject"
  | "HeadObject"
  | "PutObject"
  | "CopyObject"
  | "ListObjectVersions"
  | "ListObjectsV2"
  | "GetBucketVersioning";

/** The request that failed. */
export interface S3Request {
  readonly uri: string;
  readonly bucket: string;
  readonly versionId: string | undefined;
  readonly action: S3Action;
  /** exec's container start, or an ops command. */
  readonly caller: "exec" | "ops";
}

/** What S3 answered. */
export interface S3Answer {
  /** S3's error code ("NoSuchKey", "KMS.DisabledException", …), if it named one. */
  readonly code: string | undefined;
  readonly status: number | undefined;
  /** S3's message, read only to tell KMS refusals apart. */
  readonly message: string;
  /** x-amz-bucket-region, when S3 sent it. */
  readonly bucketRegion: string | undefined;
}

export interface Classified {
  readonly code: ErrorCode;
  readonly message: string;
}

const S3_PERMISSION: Record<S3Action, string> = {
  GetObject: "s3:GetObject",
  HeadObject: "s3:GetObject",
  PutObject: "s3:PutObject",
  CopyObject: "s3:GetObject and s3:PutObject",
  ListObjectVersions: "s3:ListBucketVersions",
  ListObjectsV2: "s3:ListBucket",
  GetBucketVersioning: "s3:GetBucketVersioning",
};

/** A read of one version needs s3:GetObjectVersion, not s3:GetObject (AWS checks them apart). */
export function s3Permission(req: S3Request): string {
  const permission = S3_PERMISSION[req.action];
  return req.versionId !== undefined || /[?&]versionId=/.test(req.uri)
    ? permission.replace("s3:GetObject", "s3:GetObjectVersion")
    : permission;
}

// What S3 asks KMS for on the caller's behalf, when its message does not say.
const KMS_PERMISSION: Partial<Record<S3Action, string>> = {
  GetObject: "kms:Decrypt",
  PutObject: "kms:GenerateDataKey",
  CopyObject: "kms:Decrypt and kms:GenerateDataKey",
};

const isWrite = (req: S3Request): boolean =>
  req.action === "PutObject" || req.action === "CopyObject";

type Row = readonly [
  s3Codes: readonly string[],
  code: ErrorCode,
  message: (req: S3Request, s3Code: string, answer: S3Answer) => string,
];

/** S3 error codes → ours. Codes not listed: see classifyS3Error. */
const TABLE: readonly Row[] = [
  [["NoSuchBucket"], "NO_SUCH_BUCKET", (req) => `bucket "${req.bucket}" does not exist`],
  // HeadObject's 404 has no body to name the error.
  [["NoSuchKey", "NotFound"], "NO_SUCH_KEY", (req) => `${req.uri} does not exist`],
  [["NoSuchVersion"], "NO_SUCH_VERSION", (req) => `${req.uri}: no such object version`],
  [
    ["PreconditionFailed", "ConditionalRequestConflict"],
    "CONFLICT",
    (req) => `${req.uri} was changed by someone else meanwhile; nothing was written`,
  ],
  [
    [
      "InvalidAccessKeyId",
      "SignatureDoesNotMatch",
      "ExpiredToken",
      "TokenRefreshRequired",
      "InvalidToken",
    ],
    "CREDENTIALS_REJECTED",
    (req, s3Code) => `${req.uri}: S3 rejected the credentials (${s3Code}); refresh or fix them`,
  ],
  [
    ["PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"],
    "WRONG_REGION",
    (req, _, answer) =>
      `${req.uri}: the bucket is in ${answer.bucketRegion ?? "another region"}; set AWS_REGION accordingly`,
  ],
  [
    ["KMS.DisabledException", "KMS.KMSInvalidStateException"],
    "KMS_KEY_DISABLED",
    // Another key is a way out only for a write; --kms-key-id cannot decrypt an object.
    (req, s3Code) =>
      req.caller === "exec"
        ? `${req.uri}: the object's KMS key is disabled or pending deletion (${s3Code}); enable the key or re-encrypt the object`
        : isWrite(req)
          ? `${req.uri}: the KMS key is disabled or pending deletion (${s3Code}); enable the key or use another with --kms-key-id`
          : `${req.uri}: the KMS key is disabled or pending deletion (${s3Code}); enable the key (or cancel its deletion): only it can decrypt the object`,
  ],
  [
    ["KMS.NotFoundException"],
    "KMS_ERROR",
    (req, s3Code) =>
      `${req.uri}: the KMS key does not exist (${s3Code}); check --kms-key-id and the region`,
  ],
  [
    [
      "SlowDown",
      "KMS.ThrottlingException",
      "KMS.LimitExceededException",
      "RequestLimitExceeded",
      "Throttling",
    ],
    "THROTTLED",
    (req, s3Code) => `${req.uri}: throttled by AWS (${s3Code}) after retries`,
  ],
  [
    ["RequestTimeout"],
    "TIMEOUT",
    (req) => `${req.uri}: S3 did not answer in time; check the network path or raise --timeout`,
  ],
];

const BY_S3_CODE = new Map(TABLE.flatMap((row) => row[0].map((s3Code) => [s3Code, row] as const)));

/** The code S3 means by a status alone (an error without a body, such as HEAD's). */
function codeFromStatus(status: number | undefined): string {
  if (status === 403) return "AccessDenied";
  if (status === 404) return "NotFound";
  if (status === 301) return "PermanentRedirect";
  if (status === 503) return "SlowDown";
  return status === undefined ? "Error" : `HTTP${status}`;
}

function accessDenied(req: S3Request, answer: S3Answer): Classified {
  // S3 answers AccessDenied both for its own policies and for a KMS refusal;
  // only the message tells them apart.
  const found = /\bkms:[A-Za-z]+/.exec(answer.message)?.[0];
  const kmsAction = found === undefined ? undefined : serverText(found);
  if (kmsAction !== undefined || /kms/i.test(answer.message)) {
    if (req.caller === "exec") {
      return {
        code: "KMS_ACCESS_DENIED",
        message: `${req.uri}: KMS refused to decrypt the object (kms:Decrypt denied on its key); grant kms:Decrypt on the key to this role`,
      };
    }
    const permission = kmsAction ?? KMS_PERMISSION[req.action] ?? "access to the key";
    return {
      code: "KMS_ACCESS_DENIED",
      message: `${req.uri}: KMS denied ${permission}; grant ${permission} on the KMS key to this role (IAM policy and key policy)`,
    };
  }
  return {
    code: "S3_ACCESS_DENIED",
    message: `${req.uri}: access denied by S3 (${s3Permission(req)}); check the role's policy and the bucket policy`,
  };
}

/** S3's answer to `req` as one of our errors. */
export function classifyS3Error(answer: S3Answer, req: S3Request): Classified {
  const s3Code = serverText(answer.code ?? codeFromStatus(answer.status));
  const bounded: S3Answer = {
    ...answer,
    bucketRegion: answer.bucketRegion === undefined ? undefined : serverText(answer.bucketRegion),
  };
  if (s3Code === "InvalidArgument" && req.versionId !== undefined) {
    return { code: "NO_SUCH_VERSION", message: `${req.uri}: the versionId is not valid` };
  }
  const row = BY_S3_CODE.get(s3Code);
  if (row !== undefined) return { code: row[1], message: row[2](req, s3Code, bounded) };
  if (s3Code === "AccessDenied" || answer.status === 403) return accessDenied(req, answer);
  if (s3Code.startsWith("KMS.")) {
    return {
      code: "KMS_ERROR",
      message:
        req.caller === "exec"
          ? `${req.uri}: KMS failed to decrypt the object (${s3Code})`
          : `${req.uri}: KMS failed (${s3Code})`,
    };
  }
  return {
    code: "S3_ERROR",
    message:
      req.caller === "exec"
        ? `${req.uri}: S3 answered ${s3Code}`
        : `${req.uri}: S3 answered ${s3Code} to ${req.action}`,
  };
}

/** Every S3 error code the table names (for its test). */
export const CLASSIFIED_S3_CODES: readonly string[] = [...BY_S3_CODE.keys(), "InvalidArgument"];
