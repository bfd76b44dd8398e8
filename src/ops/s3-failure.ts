// SDK errors from ops requests → our errors. Messages are built from the S3
// error code, the URI and the permission involved; S3's own text is read only
// to tell a KMS refusal from an S3 one, and to name the KMS action it denied.
// Every request runs under a deadline of its own (send). Whatever of the
// server's text is repeated goes through serverText first.
import type { S3Client } from "@aws-sdk/client-s3";
import { OpsError, S3KmsEnvError, type ErrorCode } from "../errors";
import type { OpsS3 } from "./client";
import { beforeDeadline } from "../deadline";
import { serverText } from "../log";

export type S3Action =
  "GetObject" | "HeadObject" | "PutObject" | "CopyObject" | "ListObjectVersions" | "ListObjectsV2";

const S3_PERMISSION: Record<S3Action, string> = {
  GetObject: "s3:GetObject",
  HeadObject: "s3:GetObject",
  PutObject: "s3:PutObject",
  CopyObject: "s3:GetObject and s3:PutObject",
  ListObjectVersions: "s3:ListBucketVersions",
  ListObjectsV2: "s3:ListBucket",
};

/** A read of one version needs s3:GetObjectVersion, not s3:GetObject (AWS checks them apart). */
function s3Permission(action: S3Action, uri: string): string {
  const permission = S3_PERMISSION[action];
  return /[?&]versionId=/.test(uri)
    ? permission.replace("s3:GetObject", "s3:GetObjectVersion")
    : permission;
}

// What S3 asks KMS for on the caller's behalf, when its message does not say.
const KMS_PERMISSION: Partial<Record<S3Action, string>> = {
  GetObject: "kms:Decrypt",
  PutObject: "kms:GenerateDataKey",
  CopyObject: "kms:Decrypt and kms:GenerateDataKey",
};

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function classify(e: SdkError, uri: string, action: S3Action): [ErrorCode, string] {
  const name = serverText(e.name ?? "Error");
  const status = e.$metadata?.httpStatusCode;
  switch (name) {
    case "NoSuchBucket":
      return ["NO_SUCH_BUCKET", `${uri}: the bucket does not exist`];
    case "NoSuchKey":
    case "NotFound": // HeadObject's 404 has no body to name the error.
      return ["NO_SUCH_KEY", `${uri} does not exist`];
    case "NoSuchVersion":
      return ["NO_SUCH_VERSION", `${uri}: no such object version`];
    case "PreconditionFailed":
    case "ConditionalRequestConflict":
      return ["CONFLICT", `${uri} was changed by someone else meanwhile; nothing was written`];
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "ExpiredToken":
    case "InvalidToken":
      return [
        "CREDENTIALS_REJECTED",
        `${uri}: S3 rejected the credentials (${name}); refresh or fix them`,
      ];
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
      return [
        "WRONG_REGION",
        `${uri}: the bucket is in another region; set AWS_REGION accordingly`,
      ];
    case "KMS.DisabledException":
    case "KMS.KMSInvalidStateException":
      // Another key is a way out only for a write; --kms-key-id cannot decrypt an object.
      return [
        "KMS_KEY_DISABLED",
        action === "PutObject" || action === "CopyObject"
          ? `${uri}: the KMS key is disabled or pending deletion (${name}); enable the key or use another with --kms-key-id`
          : `${uri}: the KMS key is disabled or pending deletion (${name}); enable the key (or cancel its deletion): only it can decrypt the object`,
      ];
    case "KMS.NotFoundException":
      return [
        "KMS_ERROR",
        `${uri}: the KMS key does not exist (${name}); check --kms-key-id and the region`,
      ];
    case "SlowDown":
    case "KMS.ThrottlingException":
    case "KMS.LimitExceededException":
    case "Throttling":
      return ["THROTTLED", `${uri}: throttled by AWS (${name}) after retries`];
    case "TimeoutError":
    case "RequestTimeout":
      return [
        "TIMEOUT",
        `${uri}: S3 did not answer in time; check the network path or raise --timeout`,
      ];
  }
  if (name === "AccessDenied" || status === 403) {
    // S3 answers AccessDenied both for its own policies and for a KMS refusal;
    // only the message tells them apart.
    const found = /\bkms:[A-Za-z]+/.exec(e.message ?? "")?.[0];
    const kmsAction = found === undefined ? undefined : serverText(found);
    if (kmsAction !== undefined || /kms/i.test(e.message ?? "")) {
      const permission = kmsAction ?? KMS_PERMISSION[action] ?? "access to the key";
      return [
        "KMS_ACCESS_DENIED",
        `${uri}: KMS denied ${permission}; grant ${permission} on the KMS key to this role (IAM policy and key policy)`,
      ];
    }
    return [
      "S3_ACCESS_DENIED",
      `${uri}: access denied by S3 (${s3Permission(action, uri)}); check the role's policy and the bucket policy`,
    ];
  }
  if (name.startsWith("KMS.")) return ["KMS_ERROR", `${uri}: KMS failed (${name})`];
  if (status === undefined && e.code !== undefined) {
    return ["NETWORK", `${uri}: cannot reach S3 (${serverText(e.code)})`];
  }
  return ["S3_ERROR", `${uri}: S3 answered ${name} to ${action}`];
}

export function s3Failure(err: unknown, uri: string, action: S3Action): S3KmsEnvError {
  if (err instanceof S3KmsEnvError) return err;
  const [code, message] = classify(err as SdkError, uri, action);
  return new OpsError(code, message);
}

function timedOut(uri: string, action: S3Action, timeoutMs: number): OpsError {
  return new OpsError(
    "TIMEOUT",
    `${uri}: S3 did not finish ${action} within ${timeoutMs} ms; check the network path or raise --timeout`,
  );
}

/**
 * Runs one SDK request under its deadline (--timeout) and turns its failure
 * into ours. `call` hands the signal to client.send and reads the response
 * body inside, so the deadline covers the whole answer, an error body
 * included: the SDK's own requestTimeout only notices a silent socket, not a
 * slow one.
 */
export async function send<T>(
  s3: OpsS3,
  uri: string,
  action: S3Action,
  call: (client: S3Client, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(Math.ceil(s3.timeoutMs));
  const late = (): OpsError => timedOut(uri, action, s3.timeoutMs);
  try {
    return await beforeDeadline(call(s3.client, signal), signal, late);
  } catch (err) {
    throw signal.aborted && !(err instanceof S3KmsEnvError) ? late() : s3Failure(err, uri, action);
  }
}
