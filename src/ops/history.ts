// history: the versions and delete markers of one object, newest first, with
// the KMS key of each version (ListObjectVersions does not report it, so one
// HeadObject per version shown; no decryption). With --diff each version is
// read and decrypted instead (GetObject of the version), and compared with
// the one before it: the names added, removed and changed, never a value.
import type { ListedVersion, ObjectFacts, OpsS3 } from "./s3";
import { S3KmsEnvError, type ErrorCode } from "../errors";
import type { S3Location } from "../s3/location";
import { mapLimit } from "./pool";
import { diffVars } from "./diff";
import { loadEnv, type ReadOptions } from "./read";

/** Names only: what a version changed compared with the one before it. */
export type VersionChanges =
  | {
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly changed: readonly string[];
    }
  /** This version, or the one before it, could not be read as exec would. */
  | { readonly error: ErrorCode };

export interface VersionEntry extends ListedVersion {
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyArn: string | undefined;
  /** With --diff, for versions (not delete markers). */
  readonly changes?: VersionChanges;
}

export interface HistoryOptions {
  readonly limit: number;
  /** Set: read each version and report what it changed (--diff). */
  readonly diff?: ReadOptions | undefined;
}

const byRecency = (a: ListedVersion, b: ListedVersion): number =>
  (b.lastModified ?? "").localeCompare(a.lastModified ?? "") ||
  Number(b.isLatest) - Number(a.isLatest);

function versionLoc(loc: S3Location, v: ListedVersion): S3Location {
  // The current "null" version (unversioned bucket) is the object itself;
  // S3 also accepts versionId=null, moto 5.2.1 does not.
  return v.isLatest && v.versionId === "null"
    ? { ...loc, versionId: undefined }
    : { ...loc, versionId: v.versionId, uri: `${loc.uri}?versionId=${v.versionId}` };
}

type Read =
  | { readonly facts: ObjectFacts; readonly vars: ReadonlyMap<string, string> }
  | { readonly facts: ObjectFacts | undefined; readonly error: ErrorCode }
  | { readonly marker: true };

async function readVersion(
  s3: OpsS3,
  loc: S3Location,
  v: ListedVersion,
  options: ReadOptions,
): Promise<Read> {
  if (v.deleteMarker) return { marker: true };
  const at = versionLoc(loc, v);
  try {
    const { vars, ...facts } = await loadEnv(s3, at, options);
    return { facts, vars };
  } catch (err) {
    if (!(err instanceof S3KmsEnvError)) throw err;
    // Access refusals stop the listing: every version would fail the same way.
    if (err.code === "S3_ACCESS_DENIED" || err.code === "KMS_ACCESS_DENIED") throw err;
    const facts = await s3.headObject(at).catch(() => undefined);
    return { facts, error: err.code };
  }
}

function changesOf(read: Read, before: Read | undefined): VersionChanges | undefined {
  if ("marker" in read) return undefined;
  if ("error" in read) return { error: read.error };
  if (before !== undefined && "error" in before) return { error: before.error };
  const base = before === undefined || "marker" in before ? new Map<string, string>() : before.vars;
  const { added, removed, changed } = diffVars(base, read.vars);
  return { added, removed, changed };
}

async function withDiff(
  s3: OpsS3,
  loc: S3Location,
  all: readonly ListedVersion[],
  limit: number,
  options: ReadOptions,
): Promise<VersionEntry[]> {
  // The version just older than the last one shown is read too, as its base.
  const reads = await mapLimit(all.slice(0, limit + 1), 4, (v) => readVersion(s3, loc, v, options));
  return all.slice(0, limit).map((v, i) => {
    const read = reads[i] as Read;
    const facts = "facts" in read ? read.facts : undefined;
    const changes = changesOf(read, reads[i + 1]);
    return {
      ...v,
      serverSideEncryption: facts?.serverSideEncryption,
      kmsKeyArn: facts?.kmsKeyArn,
      ...(changes === undefined ? {} : { changes }),
    };
  });
}

export async function listHistory(
  s3: OpsS3,
  loc: S3Location,
  options: HistoryOptions,
): Promise<VersionEntry[]> {
  const all = (await s3.listVersions(loc)).sort(byRecency);
  if (all.length === 0) throw new S3KmsEnvError("NO_SUCH_KEY", `${loc.uri} has no versions`);
  if (options.diff !== undefined) return withDiff(s3, loc, all, options.limit, options.diff);
  return mapLimit(all.slice(0, options.limit), 8, async (v) => {
    const entry = { ...v, serverSideEncryption: undefined, kmsKeyArn: undefined };
    if (v.deleteMarker) return entry;
    const facts = await s3.headObject(versionLoc(loc, v));
    return {
      ...entry,
      serverSideEncryption: facts.serverSideEncryption,
      kmsKeyArn: facts.kmsKeyArn,
    };
  });
}
