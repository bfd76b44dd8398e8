// Server-side copy onto the object itself (rollback, rekey): a new version
// with the given encryption, conditional on the destination still being what
// was read, so a concurrent write is never overwritten.
import { CopyObjectCommand } from "@aws-sdk/client-s3";
import type { OpsS3 } from "./client";
import type { S3Location } from "../s3/location";
import { writeParams, written, type Condition, type Encrypt, type Written } from "./object";
import { send } from "./s3-failure";

/** x-amz-copy-source: bucket/key, URL-encoded, with the version when given. */
function copySource(loc: S3Location, versionId: string | undefined): string {
  const key = loc.key.split("/").map(encodeURIComponent).join("/");
  const version = versionId === undefined ? "" : `?versionId=${encodeURIComponent(versionId)}`;
  return `${encodeURIComponent(loc.bucket)}/${key}${version}`;
}

export interface CopyFrom {
  readonly versionId: string | undefined;
  /** The source's ETag as read: the copy fails if the source changed since. */
  readonly etag: string | undefined;
}

export async function copyOnto(
  s3: OpsS3,
  loc: S3Location,
  from: CopyFrom,
  encrypt: Encrypt,
  condition: Condition,
): Promise<Written> {
  const out = await send(s3, loc.uri, "CopyObject", (client, abortSignal) =>
    client.send(
      new CopyObjectCommand({
        Bucket: loc.bucket,
        Key: loc.key,
        CopySource: copySource(loc, from.versionId),
        CopySourceIfMatch: from.etag,
        MetadataDirective: "COPY",
        ...writeParams(encrypt, condition),
      }),
      { abortSignal },
    ),
  );
  return written(out, out.CopyObjectResult?.ETag, encrypt);
}
