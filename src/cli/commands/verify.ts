// `s3-kms-env verify s3://bucket/key…`: exit 0 only if exec would accept every
// object; each failure is reported with its own reason and code.
import { S3KmsEnvError, usageError } from "../../errors";
import { verifyObject, type Verified } from "../../ops/verify";
import { isPrefix, objectsUnder, withPrefixHint } from "../../ops/prefix";
import type { OpsS3 } from "../../ops/s3";
import type { S3Location } from "../../s3/location";
import { parseS3Uri } from "../../s3/location";
import { trustedOrAny } from "../../s3/encryption";
import { opsOptions, opsCommand, warnDuplicates, OPS_OPTIONS } from "../ops-common";
import { readerTrustedKeys } from "../../aws/settings";
import { writeJson, writeOut } from "../output";

interface Failed {
  readonly uri: string;
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

type Outcome = ({ readonly uri: string; readonly ok: true } & Verified) | Failed;

/** The objects to check: each URI, or every object under a prefix, or the listing's failure. */
async function targets(s3: OpsS3, locs: readonly S3Location[]): Promise<(S3Location | Failed)[]> {
  const out: (S3Location | Failed)[] = [];
  for (const loc of locs) {
    if (!isPrefix(loc)) {
      out.push(loc);
      continue;
    }
    try {
      out.push(...(await objectsUnder(s3, loc)));
    } catch (err) {
      if (!(err instanceof S3KmsEnvError)) throw err;
      out.push({ uri: loc.uri, ok: false, code: err.code, message: err.message });
    }
  }
  return out;
}

export const verifyCommand = opsCommand({
  name: "verify",
  help: () => ({
    summary: "check that exec would accept an env file (for CI)",
    usage: "[options] s3://bucket/key[?versionId=V]|s3://bucket/prefix/ …",
    description: `Exit status 0 only if every object exists, is SSE-KMS encrypted (under a trusted key, when
--kms-key-id or S3_KMS_ENV_KMS_KEY_ID names any), not under an AWS-managed key such as
aws/s3 (one kms:DescribeKey per object: anyone with s3:PutObject can write under those),
and parses under exec's rules (refused names included). Prints "ok" or
"FAILED" per object, and the reason as an error line. A URI ending in "/" checks every
object under that prefix (s3:ListBucket); one without it that does not exist, while objects
sit under it as a prefix, says to add the "/". For CI and dashboards.`,
    example: [
      "s3-kms-env verify s3://acme-config/prod/api.env --kms-key-id alias/acme-config --json",
      "s3-kms-env verify s3://acme-config/prod/",
    ],
    options: `${OPS_OPTIONS}`,
  }),
  options: opsOptions,
  args: (positionals) => {
    if (positionals.length === 0) throw usageError("expected s3://bucket/key …");
    return positionals.map(parseS3Uri);
  },
  run: async ({ values, args, log, settings, s3, allowNames, sealed }) => {
    const outcomes: Outcome[] = [];
    const trusted = await readerTrustedKeys(settings);
    for (const loc of await targets(s3, args)) {
      if ("ok" in loc) {
        log.error(loc.message, { code: loc.code });
        outcomes.push(loc);
        continue;
      }
      try {
        const verified = await verifyObject(s3, loc, {
          maxBytes: settings.s3.maxBytes,
          trustedKeys: trustedOrAny(trusted),
          allowNames,
          kms: settings.kms,
          sealed,
        });
        warnDuplicates(log, loc.uri, verified.duplicates);
        outcomes.push({ uri: loc.uri, ok: true, ...verified });
      } catch (caught) {
        if (!(caught instanceof S3KmsEnvError)) throw caught;
        const err = await withPrefixHint(s3, loc, caught);
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
              ? `ok ${o.uri} (version=${o.versionId ?? "-"} kms=${o.kmsKeyArn ?? "-"}${o.sealedKmsKeyArn ? ` sealed=${o.sealedKmsKeyArn}` : ""} variables=${o.variables})\n`
              : `FAILED ${o.uri} (code=${o.code})\n`,
          )
          .join(""),
      );
    return ok ? 0 : 125;
  },
});
