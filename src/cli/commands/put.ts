// `s3-kms-env put FILE|- s3://bucket/key`: argument handling only (see ops/put.ts).
import { usageError } from "../../errors";
import { inputName, readInput } from "../../ops/local-input";
import { putEnv } from "../../ops/put";
import {
  expectArgs,
  requireNewObjectKey,
  objectUri,
  opsCommand,
  warnDuplicates,
  checkVersioning,
  versioningOptions,
  warnIfUnversioned,
  writeOptions,
  VERSIONING_OPTIONS,
  OPS_OPTIONS,
  OPS_AUDIT_OPTIONS_HELP,
  NEW_OBJECT_OPTIONS,
  CLIENT_SIDE_HELP,
  clientSideOptions,
  sealedIfAsked,
} from "../ops-common";
import { writeJson, writeOut } from "../output";
import { auditSource } from "../../audit/event";

const options = {
  ...writeOptions,
  "if-match": { type: "string" },
  "if-absent": { type: "boolean" },
  ...versioningOptions,
  ...clientSideOptions,
} as const;

export const putCommand = opsCommand({
  name: "put",
  help: () => ({
    summary: "upload an env file (checked as exec will read it), SSE-KMS encrypted",
    usage: "[options] FILE|- s3://bucket/key --kms-key-id ID",
    description: `Uploads an env file after checking it exactly as exec will read it (strict dotenv, refused
names): a file exec would refuse is never uploaded. The object is SSE-KMS encrypted; the
new version id is printed. "-" reads stdin (nothing is written to disk). A bucket without
versioning (or with it suspended) is refused before anything is written, unless
--allow-unversioned.`,
    example: [
      "s3-kms-env put prod.env s3://acme-config/prod/api.env --kms-key-id alias/acme-config",
    ],
    options: `Options:
${NEW_OBJECT_OPTIONS}
  --if-match ETAG          write only if the object still has this ETag (from get --json)
  --if-absent              write only if the object does not exist yet
${CLIENT_SIDE_HELP}
${VERSIONING_OPTIONS}

${OPS_AUDIT_OPTIONS_HELP}

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const [file = "", uri = ""] = expectArgs(positionals, ["FILE|-", "s3://bucket/key"]);
    if (values["if-match"] !== undefined && values["if-absent"]) {
      throw usageError("give either --if-match or --if-absent, not both");
    }
    if (values.context !== undefined && !values["client-side"]) {
      throw usageError("--context applies to --client-side");
    }
    return { file, loc: objectUri(uri) };
  },
  target: (args) => args.loc,
  run: async ({ values, args, log, settings, s3, allowNames, audit, sealed }) => {
    const encrypt = sealedIfAsked(values, await requireNewObjectKey(values, settings));
    const body = await readInput(args.file, settings.s3.maxBytes);
    const from = inputName(args.file);
    await checkVersioning(values, s3, args.loc);
    const result = await putEnv(s3, args.loc, body, {
      from,
      maxBytes: settings.s3.maxBytes,
      allowNames,
      encrypt,
      condition: values["if-absent"] ? { ifNoneMatch: "*" } : { ifMatch: values["if-match"] },
      sealed,
    });
    warnDuplicates(log, from, result.duplicates);
    warnIfUnversioned(log, args.loc, result.versionId);
    const { versionId, kmsKeyArn } = result;
    const sealedKmsKeyArn = encrypt.sealed?.keyId;
    await audit({
      sources: [auditSource(args.loc, { versionId, kmsKeyArn, sealedKmsKeyArn })],
      variables: result.variables,
      names: result.names,
    });
    const summary = {
      uri: args.loc.uri,
      versionId: result.versionId,
      etag: result.etag,
      kmsKeyArn: result.kmsKeyArn,
      variables: result.variables,
      ...(values["client-side"] ? { sealed: true } : {}),
    };
    if (values.json) await writeJson(summary);
    else
      await writeOut(
        `uploaded ${summary.uri} (version=${summary.versionId ?? "-"} kms=${summary.kmsKeyArn ?? "bucket default"} variables=${summary.variables}${values["client-side"] ? " sealed" : ""})\n`,
      );
    return 0;
  },
});
