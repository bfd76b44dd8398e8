// put and set refuse a bucket without versioning before they write: there a
// write replaces the previous content for good (no history, no rollback).
// --allow-unversioned skips the check (and its s3:GetBucketVersioning).
import { hasCode, S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import type { OpsS3 } from "./s3";

export async function requireVersioning(s3: OpsS3, loc: S3Location): Promise<void> {
  let status;
  try {
    status = await s3.bucketVersioning(loc);
  } catch (err) {
    if (!hasCode(err, "S3_ACCESS_DENIED")) throw err;
    throw new S3KmsEnvError(
      "S3_ACCESS_DENIED",
      `bucket ${loc.bucket}: cannot check that versioning is on (s3:GetBucketVersioning denied); nothing was written. Grant s3:GetBucketVersioning on the bucket, or give --allow-unversioned to write without the check`,
    );
  }
  if (status === "Enabled") return;
  const state = status === "Suspended" ? "versioning suspended" : "no versioning";
  throw new S3KmsEnvError(
    "UNVERSIONED_BUCKET",
    `bucket ${loc.bucket} has ${state}: a write to ${loc.uri} would replace its content for good (no history, no rollback); nothing was written. Enable versioning on the bucket, or give --allow-unversioned`,
  );
}
