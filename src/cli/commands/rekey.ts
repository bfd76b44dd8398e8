// `s3-kms-env rekey s3://bucket/key|s3://bucket/prefix/ --kms-key-id NEW`:
// argument handling and the report (see ops/rekey.ts).
import { S3KmsEnvError, usageError } from "../../errors";
import { isPrefix, rekey, type RekeyOutcome } from "../../ops/rekey";
import {
  expectArgs,
  objectUri,
  opsCommand,
  opsOptions,
  trustOptions,
  writeOptions,
  OPS_OPTIONS,
  OPS_AUDIT_OPTIONS_HELP,
  TRUST_OPTIONS,
} from "../ops-common";
import { writeKey, writerTrustedKeys } from "../../aws/settings";
import { writeJson, writeOut } from "../output";
import { auditSource } from "../../audit/event";
import { parseS3Uri } from "../../s3/location";
import { opsAuditOptions } from "../audit-options";

const options = {
  ...opsOptions,
  ...opsAuditOptions,
  ...trustOptions,
  "no-bucket-key": writeOptions["no-bucket-key"],
  "dry-run": { type: "boolean" },
} as const;

function line(o: RekeyOutcome): string {
  switch (o.action) {
    case "rekeyed":
      return `rekeyed ${o.uri} (from=${o.from ?? "-"} version=${o.versionId ?? "-"})`;
    case "would-rekey":
      return `would rekey ${o.uri} (from=${o.from ?? "-"})`;
    case "skipped":
      return `skipped ${o.uri} (already under the key)`;
    default:
      return `${o.action} ${o.uri} (code=${o.code ?? "-"})`;
  }
}

export const rekeyCommand = opsCommand({
  name: "rekey",
  help: () => ({
    summary: "re-encrypt objects under a new KMS key",
    usage: "[options] s3://bucket/key|s3://bucket/prefix/ --kms-key-id NEW",
    description: `Re-encrypts one object, or every object under a prefix (a URI ending in "/"), under a new
KMS key with a server-side copy in place (a new version; contents unchanged). Objects
already under NEW are skipped, so it is safe to re-run. Only objects under a trusted key
move; others, and objects that are not SSE-KMS, are refused and named one per line: check
them and upload them with put. Exit 0 only if every object ends up under NEW.`,
    example: [
      "s3-kms-env rekey s3://acme-config/prod/ --trusted-kms-key-id alias/acme-config \\",
      "  --kms-key-id alias/acme-config-2027",
    ],
    options: `Options:
${TRUST_OPTIONS}
  --dry-run                report what would change, change nothing
  --no-bucket-key          do not use an S3 Bucket Key

${OPS_AUDIT_OPTIONS_HELP}

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals) => {
    const [uri = ""] = expectArgs(positionals, ["s3://bucket/key|s3://bucket/prefix/"]);
    return objectUri(uri);
  },
  target: (target) => target,
  run: async ({ values, args: target, log, settings, s3, audit, sealed }) => {
    const kmsKeyId = await writeKey(settings);
    if (kmsKeyId === undefined)
      throw usageError("give --kms-key-id NEW, the key to re-encrypt under");
    const outcomes = await rekey(s3, target, {
      encrypt: { mode: "aws:kms", kmsKeyId, bucketKeyEnabled: values["no-bucket-key"] !== true },
      trustedKeys: await writerTrustedKeys(settings),
      dryRun: values["dry-run"] === true,
      maxBytes: settings.s3.maxBytes,
      sealed,
    });
    const rekeyed = outcomes.filter((o) => o.action === "rekeyed");
    // Before any failure is reported: the objects that moved did move.
    if (rekeyed.length > 0) {
      await audit({
        sources: rekeyed.map((o) =>
          auditSource(parseS3Uri(o.uri), {
            versionId: o.versionId,
            kmsKeyArn: kmsKeyId,
            previousKmsKeyArn: o.from,
            // A sealed object is re-wrapped under the new key too.
            sealedKmsKeyArn: o.sealedFrom === undefined ? undefined : kmsKeyId,
            previousSealedKmsKeyArn: o.sealedFrom,
          }),
        ),
      });
    }
    const problems = outcomes.filter((o) => o.action === "refused" || o.action === "failed");
    const [only] = outcomes;
    // One object: its own error is the answer.
    if (!isPrefix(target) && only && problems.length === 1) {
      throw new S3KmsEnvError(only.code ?? "REKEY_INCOMPLETE", only.reason ?? only.uri);
    }
    if (values.json) await writeJson({ uri: target.uri, outcomes });
    else await writeOut(outcomes.map((o) => `${line(o)}\n`).join(""));
    if (problems.length > 0) {
      for (const p of problems) log.warn(p.reason ?? p.uri, { code: p.code });
      throw new S3KmsEnvError(
        "REKEY_INCOMPLETE",
        `${problems.length} of ${outcomes.length} objects under ${target.uri} are not under the new key; fix them and run rekey again (done ones are skipped)`,
      );
    }
    return 0;
  },
});
