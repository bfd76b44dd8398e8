// history: the versions and delete markers of one object, newest first, with
// the KMS key of each version (ListObjectVersions does not report it, so one
// HeadObject per version shown; no decryption).
import type { ListedVersion, OpsS3 } from "./s3";
import { S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import { mapLimit } from "./pool";

export interface VersionEntry extends ListedVersion {
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyArn: string | undefined;
}

const byRecency = (a: VersionEntry, b: VersionEntry): number =>
  (b.lastModified ?? "").localeCompare(a.lastModified ?? "") ||
  Number(b.isLatest) - Number(a.isLatest);

export async function listHistory(
  s3: OpsS3,
  loc: S3Location,
  limit: number,
): Promise<VersionEntry[]> {
  const all: VersionEntry[] = (await s3.listVersions(loc)).map((v) => ({
    ...v,
    serverSideEncryption: undefined,
    kmsKeyArn: undefined,
  }));
  if (all.length === 0) throw new S3KmsEnvError("NO_SUCH_KEY", `${loc.uri} has no versions`);
  const shown = all.sort(byRecency).slice(0, limit);
  return mapLimit(shown, 8, async (v) => {
    if (v.deleteMarker) return v;
    // The current "null" version (unversioned bucket) is the object itself;
    // S3 also accepts versionId=null, moto 5.2.1 does not.
    const current = v.isLatest && v.versionId === "null";
    const version = current
      ? { ...loc, versionId: undefined }
      : { ...loc, versionId: v.versionId, uri: `${loc.uri}?versionId=${v.versionId}` };
    const facts = await s3.headObject(version);
    return { ...v, serverSideEncryption: facts.serverSideEncryption, kmsKeyArn: facts.kmsKeyArn };
  });
}
