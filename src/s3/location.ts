// s3://bucket/key[?versionId=V] → its parts. The key is taken literally up to
// the first "?", so a key that contains "?" must be written as %3F.
import { S3KmsEnvError } from "../errors";

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | undefined;
  /** The URI as the user wrote it, for messages and logs. */
  readonly uri: string;
}

// S3's bucket naming rules (general purpose buckets).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bad(uri: string, why: string): S3KmsEnvError {
  return new S3KmsEnvError("BAD_URI", `invalid source ${JSON.stringify(uri)}: ${why}`);
}

export function parseS3Uri(uri: string): S3Location {
  if (!uri.startsWith("s3://")) throw bad(uri, "expected s3://bucket/key");
  const rest = uri.slice("s3://".length);
  const q = rest.indexOf("?");
  const path = q === -1 ? rest : rest.slice(0, q);
  const slash = path.indexOf("/");
  const bucket = slash === -1 ? path : path.slice(0, slash);
  const rawKey = slash === -1 ? "" : path.slice(slash + 1);
  if (!BUCKET.test(bucket) || bucket.includes("..")) {
    throw bad(uri, "the bucket name is not a valid S3 bucket name");
  }
  if (rawKey === "") throw bad(uri, "the object key is missing");
  let key: string;
  try {
    key = decodeURIComponent(rawKey);
  } catch {
    throw bad(uri, "the object key has a malformed %-escape");
  }
  let versionId: string | undefined;
  if (q !== -1) {
    const params = new URLSearchParams(rest.slice(q + 1));
    const seen = new Set<string>();
    for (const name of params.keys()) {
      if (name !== "versionId") throw bad(uri, `unknown query parameter "${name}"`);
      // URLSearchParams.get() would silently take the first of two versions.
      if (seen.has(name)) throw bad(uri, `query parameter "${name}" is given more than once`);
      seen.add(name);
    }
    versionId = params.get("versionId") || undefined;
    if (versionId === undefined) throw bad(uri, "versionId is empty");
  }
  return { bucket, key, versionId, uri };
}

/** S3_KMS_ENV_URI holds one or more URIs separated by commas and/or white space. */
export function splitUriList(value: string): string[] {
  return value.split(/[\s,]+/).filter((s) => s !== "");
}
