// S3 error answers → our errors. Messages are ours, built from the S3 error
// code and the URI; S3's own message text is not repeated, and what is
// repeated (the code, the bucket's region) goes through serverText first.
import type { Readable } from "node:stream";
import type { HeaderBag } from "@smithy/types";
import { SourceError, type ErrorCode } from "../errors";
import { serverText } from "../log";
import type { S3Location } from "./location";

const MAX_ERROR_BODY = 64 * 1024;

async function readSmall(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_ERROR_BODY) break;
      chunks.push(buf);
    }
  } catch {
    // A cut-off error body still has a status code to go on.
  }
  return Buffer.concat(chunks).toString("utf8");
}

interface S3ErrorBody {
  readonly code: string | undefined;
  readonly message: string;
}

async function parseErrorBody(text: string): Promise<S3ErrorBody> {
  if (text.trim() === "") return { code: undefined, message: "" };
  const { XMLParser } = await import("fast-xml-parser");
  try {
    const doc = new XMLParser({ parseTagValue: false }).parse(text) as {
      Error?: { Code?: unknown; Message?: unknown };
    };
    const code = typeof doc.Error?.Code === "string" ? doc.Error.Code : undefined;
    const message = typeof doc.Error?.Message === "string" ? doc.Error.Message : "";
    return { code, message };
  } catch {
    return { code: undefined, message: "" };
  }
}

function codeFromStatus(status: number): string {
  if (status === 403) return "AccessDenied";
  if (status === 404) return "NotFound";
  if (status === 301) return "PermanentRedirect";
  if (status === 503) return "SlowDown";
  return `HTTP${status}`;
}

interface Mapped {
  readonly code: ErrorCode;
  readonly message: string;
}

function map(
  s3Code: string,
  s3Message: string,
  loc: S3Location,
  bucketRegion: string | undefined,
): Mapped {
  const u = loc.uri;
  switch (s3Code) {
    case "NoSuchBucket":
      return { code: "NO_SUCH_BUCKET", message: `bucket "${loc.bucket}" does not exist` };
    case "NoSuchKey":
    case "NotFound":
      return { code: "NO_SUCH_KEY", message: `${u} does not exist` };
    case "NoSuchVersion":
      return { code: "NO_SUCH_VERSION", message: `${u}: no such object version` };
    case "InvalidArgument":
      if (loc.versionId !== undefined) {
        return { code: "NO_SUCH_VERSION", message: `${u}: the versionId is not valid` };
      }
      break;
    case "AccessDenied":
      // S3 answers AccessDenied both for its own policy and for a KMS refusal
      // to decrypt; only the message tells them apart.
      if (/kms/i.test(s3Message)) {
        return {
          code: "KMS_ACCESS_DENIED",
          message: `${u}: KMS refused to decrypt the object (kms:Decrypt denied on its key); grant kms:Decrypt on the key to this role`,
        };
      }
      return {
        code: "S3_ACCESS_DENIED",
        message: `${u}: access denied by S3 (s3:GetObject${loc.versionId ? "Version" : ""}); check the role's policy and the bucket policy`,
      };
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "ExpiredToken":
    case "TokenRefreshRequired":
    case "InvalidToken":
      return {
        code: "CREDENTIALS_REJECTED",
        message: `${u}: S3 rejected the credentials (${s3Code}); refresh or fix them`,
      };
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
    case "IllegalLocationConstraintException":
      return {
        code: "WRONG_REGION",
        message: `${u}: the bucket is in ${bucketRegion ?? "another region"}; set AWS_REGION accordingly`,
      };
    case "KMS.DisabledException":
    case "KMS.KMSInvalidStateException":
      return {
        code: "KMS_KEY_DISABLED",
        message: `${u}: the object's KMS key is disabled or pending deletion (${s3Code}); enable the key or re-encrypt the object`,
      };
    case "SlowDown":
    case "KMS.ThrottlingException":
    case "KMS.LimitExceededException":
    case "RequestLimitExceeded":
    case "Throttling":
      return { code: "THROTTLED", message: `${u}: throttled by AWS (${s3Code}) after retries` };
  }
  if (s3Code.startsWith("KMS.")) {
    return { code: "KMS_ERROR", message: `${u}: KMS failed to decrypt the object (${s3Code})` };
  }
  return { code: "S3_ERROR", message: `${u}: S3 answered ${s3Code}` };
}

export async function s3ErrorFromResponse(
  status: number,
  headers: HeaderBag,
  stream: Readable,
  loc: S3Location,
): Promise<SourceError> {
  const body = await parseErrorBody(await readSmall(stream));
  const region = headers["x-amz-bucket-region"];
  const mapped = map(
    serverText(body.code ?? codeFromStatus(status)),
    body.message,
    loc,
    region === undefined ? undefined : serverText(region),
  );
  return new SourceError(mapped.code, mapped.message);
}
