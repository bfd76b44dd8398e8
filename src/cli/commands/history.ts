// `s3-kms-env history s3://bucket/key`: argument handling and the table.
import { usageError } from "../../errors";
import { listHistory, type VersionChanges, type VersionEntry } from "../../ops/history";
import { readerTrustedKeys } from "../../aws/settings";
import {
  expectArgs,
  objectUri,
  opsOptions,
  opsCommand,
  readOptions,
  OPS_OPTIONS,
} from "../ops-common";
import { table, writeJson, writeOut } from "../output";

const options = {
  ...opsOptions,
  limit: { type: "string" },
  diff: { type: "boolean" },
} as const;

function limit(text: string | undefined): number {
  if (text === undefined) return 20;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError("--limit must be a whole number from 1");
  return n;
}

const HEADER = [" ", "VERSION", "MODIFIED", "SIZE", "KMS KEY", "OWNER"];

/** "+NEW ~CHANGED -GONE", names only. */
function changesText(changes: VersionChanges | undefined): string {
  if (changes === undefined) return "";
  if ("error" in changes) return `cannot compare (${changes.error})`;
  const names = [
    ...changes.added.map((n) => `+${n}`),
    ...changes.changed.map((n) => `~${n}`),
    ...changes.removed.map((n) => `-${n}`),
  ];
  return names.length === 0 ? "(no change)" : names.join(" ");
}

function row(v: VersionEntry, diff: boolean): string[] {
  const cells = [
    v.isLatest ? "*" : " ",
    v.versionId,
    v.lastModified ?? "-",
    v.deleteMarker ? "(delete marker)" : `${v.size ?? "-"} bytes`,
    v.deleteMarker ? "" : (v.kmsKeyArn ?? v.serverSideEncryption ?? "not encrypted"),
    v.owner ?? "",
  ];
  return diff ? [...cells, changesText(v.changes)] : cells;
}

export const historyCommand = opsCommand({
  name: "history",
  help: () => ({
    summary: "list an env file's versions",
    usage: "[options] s3://bucket/key",
    description: `Lists the object's versions, newest first: version id, time, size, KMS key, owner, and
delete markers; "*" marks the current version. --diff also reads (decrypts) each version
shown and the one before the oldest shown, and lists per version the names it added (+),
changed (~) and removed (-) compared with the version before it: names only, never values
(needs s3:GetObjectVersion and kms:Decrypt; a delete marker counts as an empty file; with
--kms-key-id, versions under other keys are not trusted). A version that cannot be read as
exec would shows "cannot compare (CODE)".`,
    example: [
      "s3-kms-env history s3://acme-config/prod/api.env --limit 5",
      "s3-kms-env history s3://acme-config/prod/api.env --diff",
    ],
    options: `Options:
  --limit N                versions shown (default 20)
  --diff                   per version, the names added (+), changed (~) and removed (-)

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const [uri = ""] = expectArgs(positionals, ["s3://bucket/key"]);
    return { loc: objectUri(uri), limit: limit(values.limit) };
  },
  run: async ({ values, args, s3, settings, sealed }) => {
    const diff = values.diff === true;
    const versions = await listHistory(s3, args.loc, {
      limit: args.limit,
      diff: diff ? readOptions(settings, await readerTrustedKeys(settings), sealed) : undefined,
    });
    if (values.json) await writeJson({ uri: args.loc.uri, versions });
    else {
      const header = diff ? [...HEADER, "CHANGES"] : HEADER;
      await writeOut(table([header, ...versions.map((v) => row(v, diff))]));
    }
    return 0;
  },
});
