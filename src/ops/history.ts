// history: the versions and delete markers of one object, newest first, with
// the KMS key of each version (ListObjectVersions does not report it, so one
// HeadObject per version shown; no decryption).
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import type { OpsS3 } from "./client";
import { S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import { headObject } from "./object";
import { mapLimit } from "./pool";
import { send } from "./s3-failure";

export interface VersionEntry {
  readonly versionId: string;
  readonly lastModified: string | undefined;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
  readonly size: number | undefined;
  readonly owner: string | undefined;
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyArn: string | undefined;
}

interface Listed {
  readonly Key?: string | undefined;
  readonly VersionId?: string | undefined;
  readonly IsLatest?: boolean | undefined;
  readonly LastModified?: Date | undefined;
  readonly Size?: number | undefined;
  readonly Owner?:
    { readonly DisplayName?: string | undefined; readonly ID?: string | undefined } | undefined;
}

function entry(v: Listed, deleteMarker: boolean): VersionEntry {
  return {
    versionId: v.VersionId ?? "null",
    lastModified: v.LastModified?.toISOString(),
    isLatest: v.IsLatest === true,
    deleteMarker,
    size: v.Size,
    owner: v.Owner?.DisplayName ?? v.Owner?.ID,
    serverSideEncryption: undefined,
    kmsKeyArn: undefined,
  };
}

/** Every version and delete marker of exactly loc.key (the prefix listing also holds longer keys). */
async function listAll(s3: OpsS3, loc: S3Location): Promise<VersionEntry[]> {
  const entries: VersionEntry[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await send(s3, loc.uri, "ListObjectVersions", (client, abortSignal) =>
      client.send(
        new ListObjectVersionsCommand({
          Bucket: loc.bucket,
          Prefix: loc.key,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
        { abortSignal },
      ),
    );
    const mine = (v: Listed): boolean => v.Key === loc.key;
    entries.push(...(page.Versions ?? []).filter(mine).map((v) => entry(v, false)));
    entries.push(...(page.DeleteMarkers ?? []).filter(mine).map((v) => entry(v, true)));
    // The key sorts before every longer key under it: once the listing has
    // moved past it, there is nothing more of it to read.
    if (!page.IsTruncated || page.NextKeyMarker !== loc.key) return entries;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

const byRecency = (a: VersionEntry, b: VersionEntry): number =>
  (b.lastModified ?? "").localeCompare(a.lastModified ?? "") ||
  Number(b.isLatest) - Number(a.isLatest);

export async function listHistory(
  s3: OpsS3,
  loc: S3Location,
  limit: number,
): Promise<VersionEntry[]> {
  const all = await listAll(s3, loc);
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
    const facts = await headObject(s3, version);
    return { ...v, serverSideEncryption: facts.serverSideEncryption, kmsKeyArn: facts.kmsKeyArn };
  });
}
