// A URI ending in "/" names every object under it (rekey, verify). A key
// without the "/" that does not exist, while objects sit under "key/", is
// most likely a prefix typed without its slash: the error says so.
import { hasCode, S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import type { OpsS3 } from "./s3";

/** "prefix/" lists everything under it; anything else is the one object. */
export function isPrefix(loc: S3Location): boolean {
  return loc.key.endsWith("/") && loc.versionId === undefined;
}

export function objectAt(bucket: string, key: string): S3Location {
  return { bucket, key, versionId: undefined, uri: `s3://${bucket}/${key}` };
}

/** The objects under a prefix (folder markers left out); NO_SUCH_KEY when there are none. */
export async function objectsUnder(s3: OpsS3, prefix: S3Location): Promise<S3Location[]> {
  const keys = await s3.listKeys(prefix);
  if (keys.length === 0) {
    throw new S3KmsEnvError("NO_SUCH_KEY", `no objects under ${prefix.uri}`);
  }
  return keys.map((key) => objectAt(prefix.bucket, key));
}

/**
 * NO_SUCH_KEY for `loc`, with a hint when objects sit under `loc.key + "/"`.
 * A listing that fails (no s3:ListBucket, say) leaves the error as it was.
 */
export async function withPrefixHint(
  s3: OpsS3,
  loc: S3Location,
  err: S3KmsEnvError,
): Promise<S3KmsEnvError> {
  if (!hasCode(err, "NO_SUCH_KEY") || loc.versionId !== undefined || loc.key.endsWith("/")) {
    return err;
  }
  const prefix = objectAt(loc.bucket, `${loc.key}/`);
  let keys: string[];
  try {
    keys = await s3.listKeys(prefix);
  } catch {
    return err;
  }
  if (keys.length === 0) return err;
  const what = keys.length === 1 ? "1 object is" : `${keys.length} objects are`;
  return new S3KmsEnvError(
    "NO_SUCH_KEY",
    `${loc.uri} does not exist, but ${what} under ${prefix.uri}; to name them all, add the "/": ${prefix.uri}`,
  );
}
