// `s3-kms-env history s3://bucket/key`: argument handling and the table.
import { usageError } from "../../errors";
import { listHistory, type VersionEntry } from "../../ops/history";
import { expectArgs, objectUri, opsCommand, opsOptions, OPS_OPTIONS } from "../ops-common";
import { table, writeJson, writeOut } from "../output";

const options = { ...opsOptions, limit: { type: "string" } } as const;

function limit(text: string | undefined): number {
  if (text === undefined) return 20;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError("--limit must be a whole number from 1");
  return n;
}

const HEADER = [" ", "VERSION", "MODIFIED", "SIZE", "KMS KEY", "OWNER"];

function row(v: VersionEntry): string[] {
  return [
    v.isLatest ? "*" : " ",
    v.versionId,
    v.lastModified ?? "-",
    v.deleteMarker ? "(delete marker)" : `${v.size ?? "-"} bytes`,
    v.deleteMarker ? "" : (v.kmsKeyArn ?? v.serverSideEncryption ?? "not encrypted"),
    v.owner ?? "",
  ];
}

export const historyCommand = opsCommand({
  name: "history",
  help: () => ({
    summary: "list an env file's versions",
    usage: "[options] s3://bucket/key",
    description: `Lists the object's versions, newest first: version id, time, size, KMS key, owner, and
delete markers; "*" marks the current version.`,
    example: ["s3-kms-env history s3://acme-config/prod/api.env --limit 5"],
    options: `Options:
  --limit N                versions shown (default 20)

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const [uri = ""] = expectArgs(positionals, ["s3://bucket/key"]);
    return { loc: objectUri(uri), limit: limit(values.limit) };
  },
  run: async ({ values, args, s3 }) => {
    const versions = await listHistory(s3, args.loc, args.limit);
    if (values.json) await writeJson({ uri: args.loc.uri, versions });
    else await writeOut(table([HEADER, ...versions.map(row)]));
    return 0;
  },
});
