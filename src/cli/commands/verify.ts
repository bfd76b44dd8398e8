// `s3-kms-env verify s3://bucket/key…`: exit 0 only if exec would accept every
// object; each failure is reported with its own reason and code.
import { S3KmsEnvError, usageError } from "../../errors";
import { verifyObject, type Verified } from "../../ops/verify";
import { parseS3Uri } from "../../s3/location";
import { trustedOrAny } from "../../s3/encryption";
import { opsOptions, opsCommand, warnDuplicates, OPS_OPTIONS } from "../ops-common";
import { readerTrustedKeys } from "../../aws/settings";
import { writeJson, writeOut } from "../output";

type Outcome =
  | ({ readonly uri: string; readonly ok: true } & Verified)
  | { readonly uri: string; readonly ok: false; readonly code: string; readonly message: string };

export const verifyCommand = opsCommand({
  name: "verify",
  help: () => ({
    summary: "check that exec would accept an env file (for CI)",
    usage: "[options] s3://bucket/key[?versionId=V] …",
    description: `Exit status 0 only if every object exists, is SSE-KMS encrypted (under a trusted key, when
--kms-key-id or S3_KMS_ENV_KMS_KEY_ID names any), not under an AWS-managed key such as
aws/s3 (one kms:DescribeKey per object: anyone with s3:PutObject can write under those),
and parses under exec's rules (refused names included). Prints "ok" or
"FAILED" per object, and the reason as an error line. For CI and dashboards.`,
    example: [
      "s3-kms-env verify s3://acme-config/prod/api.env --kms-key-id alias/acme-config --json",
    ],
    options: `${OPS_OPTIONS}`,
  }),
  options: opsOptions,
  args: (positionals) => {
    if (positionals.length === 0) throw usageError("expected s3://bucket/key …");
    return positionals.map(parseS3Uri);
  },
  run: async ({ values, args, log, settings, s3, allowNames }) => {
    const outcomes: Outcome[] = [];
    const trusted = await readerTrustedKeys(settings);
    for (const loc of args) {
      try {
        const verified = await verifyObject(s3, loc, {
          maxBytes: settings.s3.maxBytes,
          trustedKeys: trustedOrAny(trusted),
          allowNames,
          kms: settings.kms,
        });
        warnDuplicates(log, loc.uri, verified.duplicates);
        outcomes.push({ uri: loc.uri, ok: true, ...verified });
      } catch (err) {
        if (!(err instanceof S3KmsEnvError)) throw err;
        log.error(err.message, { code: err.code });
        outcomes.push({ uri: loc.uri, ok: false, code: err.code, message: err.message });
      }
    }
    const ok = outcomes.every((o) => o.ok);
    if (values.json) await writeJson({ ok, results: outcomes });
    else
      await writeOut(
        outcomes
          .map((o) =>
            o.ok
              ? `ok ${o.uri} (version=${o.versionId ?? "-"} kms=${o.kmsKeyArn ?? "-"} variables=${o.variables})\n`
              : `FAILED ${o.uri} (code=${o.code})\n`,
          )
          .join(""),
      );
    return ok ? 0 : 125;
  },
});
