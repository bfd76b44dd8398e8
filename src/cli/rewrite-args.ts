// What set and unset share: the target and attempts arguments, the update's
// settings and the report of what was written.
import { usageError } from "../errors";
import { auditSource } from "../audit/event";
import type { UpdateOptions, UpdateResult } from "../ops/rewrite";
import type { S3Location } from "../s3/location";
import {
  objectUri,
  readOptions,
  trustOptions,
  versioningOptions,
  warnIfUnversioned,
  writeOptions,
  type OpsContext,
} from "./ops-common";
import { writerTrustedKeys, type Settings } from "../aws/settings";
import { writeJson, writeOut } from "./output";
import type { SealedRoom } from "../sealed/lazy";

export const updateOptions = {
  ...writeOptions,
  ...trustOptions,
  ...versioningOptions,
  "max-attempts": { type: "string" },
} as const;

const DEFAULT_ATTEMPTS = 10;

function attempts(text: string | undefined): number {
  if (text === undefined) return DEFAULT_ATTEMPTS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw usageError("--max-attempts must be a whole number from 1 to 100");
  }
  return n;
}

/** s3://bucket/key followed by at least one `what`. */
export function updateArgs(
  positionals: string[],
  values: { "max-attempts"?: string | undefined },
  what: string,
): { loc: S3Location; rest: string[]; maxAttempts: number } {
  const [uri, ...rest] = positionals;
  if (uri === undefined || rest.length === 0) {
    throw usageError(`expected s3://bucket/key ${what} …`);
  }
  return { loc: objectUri(uri), rest, maxAttempts: attempts(values["max-attempts"]) };
}

export async function updateOptionsFrom(
  settings: Settings,
  allowNames: ReadonlySet<string>,
  maxAttempts: number,
  sealed: SealedRoom,
): Promise<Omit<UpdateOptions, "create">> {
  const trusted = await writerTrustedKeys(settings);
  return { ...readOptions(settings, trusted, sealed), allowNames, maxAttempts };
}

/** What set, unset and edit wrote: the warning, the audit event, the report on stdout. */
export async function reportUpdate(
  { log, audit }: Pick<OpsContext<never, never>, "log" | "audit">,
  json: boolean | undefined,
  loc: S3Location,
  result: Omit<UpdateResult, "attempts" | "etag"> & { readonly attempts?: number },
  names: Readonly<Record<string, readonly string[]>>,
): Promise<void> {
  if (result.changed) {
    warnIfUnversioned(log, loc, result.versionId, result.created);
    const { versionId, previousVersionId, kmsKeyArn, sealedKmsKeyArn } = result;
    await audit({
      sources: [auditSource(loc, { versionId, previousVersionId, kmsKeyArn, sealedKmsKeyArn })],
      variables: result.variables,
      changes: result.names,
    });
  }
  if (json) {
    return writeJson({
      uri: loc.uri,
      changed: result.changed,
      created: result.created,
      versionId: result.versionId,
      kmsKeyArn: result.kmsKeyArn,
      variables: result.variables,
      attempts: result.attempts,
      ...names,
    });
  }
  const what = !result.changed ? "unchanged" : result.created ? "created" : "updated";
  return writeOut(
    `${what} ${loc.uri} (version=${result.versionId ?? "-"} variables=${result.variables})\n`,
  );
}
