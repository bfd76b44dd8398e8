// `s3-kms-env rollback s3://bucket/key --version-id V`: argument handling only (see ops/rollback.ts).
import { usageError } from "../../errors";
import { rollbackEnv } from "../../ops/rollback";
import {
  expectArgs,
  newObjectKey,
  objectUri,
  opsCommand,
  trustOptions,
  warnIfUnversioned,
  writeOptions,
  OPS_OPTIONS,
  OPS_AUDIT_OPTIONS_HELP,
  TRUST_OPTIONS,
} from "../ops-common";
import { writerTrustedKeys } from "../../aws/settings";
import { writeJson, writeOut } from "../output";
import { auditSource } from "../../audit/event";

const options = { ...writeOptions, ...trustOptions, "version-id": { type: "string" } } as const;

export const rollbackCommand = opsCommand({
  name: "rollback",
  help: () => ({
    summary: "make an older version current again",
    usage: "[options] s3://bucket/key --version-id V",
    description: `Makes an older version current again by copying it on top as a new version (history is
kept), encrypted with the current object's KMS key. The old version must be SSE-KMS under
that key or a trusted one (--trusted-kms-key-id), and parse under exec's rules: a version
someone wrote under a key of their own is never brought back under yours. Refused if the
object changed while rolling back. A version that is already current, or holds exactly the
current version's bytes, writes nothing and says so ("unchanged").`,
    example: [
      "s3-kms-env history s3://acme-config/prod/api.env",
      "s3-kms-env rollback s3://acme-config/prod/api.env --version-id 3HL4kqtJlcpXroDTDmJ",
    ],
    options: `Options:
  --version-id V           the version to restore (required)
  --kms-key-id ID          the key to use when the object was deleted (no current key)
${TRUST_OPTIONS}

${OPS_AUDIT_OPTIONS_HELP}

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const [uri = ""] = expectArgs(positionals, ["s3://bucket/key"]);
    const versionId = values["version-id"];
    if (!versionId) throw usageError("give --version-id V (see s3-kms-env history)");
    return { loc: objectUri(uri), versionId };
  },
  target: (args) => args.loc,
  run: async ({ values, args, log, settings, s3, allowNames, audit, sealed }) => {
    const result = await rollbackEnv(s3, args.loc, args.versionId, {
      maxBytes: settings.s3.maxBytes,
      allowNames,
      pin: await newObjectKey(values, settings),
      trustedKeys: await writerTrustedKeys(settings),
      sealed,
    });
    if (result.changed) {
      warnIfUnversioned(log, args.loc, result.versionId);
      const { versionId, previousVersionId, kmsKeyArn, sealedKmsKeyArn } = result;
      await audit({
        sources: [
          auditSource(args.loc, {
            versionId,
            previousVersionId,
            restoredVersionId: args.versionId,
            kmsKeyArn,
            sealedKmsKeyArn,
          }),
        ],
        variables: result.variables,
      });
    }
    const summary = {
      uri: args.loc.uri,
      changed: result.changed,
      restored: args.versionId,
      identicalTo: result.identicalTo,
      versionId: result.versionId,
      kmsKeyArn: result.kmsKeyArn,
      variables: result.variables,
    };
    if (values.json) await writeJson(summary);
    else if (result.identicalTo !== undefined)
      await writeOut(
        `unchanged ${summary.uri} (version ${args.versionId} is identical to the current version ${result.identicalTo}; nothing was written)\n`,
      );
    else if (!result.changed)
      await writeOut(`unchanged ${summary.uri} (version ${args.versionId} is already current)\n`);
    else
      await writeOut(
        `restored ${summary.uri} from version ${args.versionId} (version=${summary.versionId ?? "-"} kms=${summary.kmsKeyArn ?? "-"} variables=${summary.variables})\n`,
      );
    return 0;
  },
});
