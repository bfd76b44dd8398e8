// `s3-kms-env get s3://bucket/key`: names by default; values only with --reveal.
import { usageError } from "../../errors";
import {
  isOutputFormat,
  OUTPUT_FORMATS,
  serializeAs,
  type OutputFormat,
} from "../../envfile/serialize";
import { describeVars, fingerprinterFrom, FINGERPRINT_KEY_ENV } from "../../ops/fingerprint";
import { loadEnv, type LoadedEnv } from "../../ops/read";
import { parseS3Uri } from "../../s3/location";
import { readerTrustedKeys } from "../../aws/settings";
import {
  expectArgs,
  opsOptions,
  readOptions,
  opsCommand,
  warnDuplicates,
  OPS_OPTIONS,
} from "../ops-common";
import { writeJson, writeOut } from "../output";

const options = {
  ...opsOptions,
  reveal: { type: "boolean" },
  format: { type: "string" },
} as const;

// dotenv: the stored text itself, comments and all.
function revealed(env: LoadedEnv, format: OutputFormat): string {
  return format === "dotenv" ? (env.text ?? "") : serializeAs(env.vars, format);
}

export const getCommand = opsCommand({
  name: "get",
  help: () => ({
    summary: "list the names in an env file (values only with --reveal)",
    usage: "[options] s3://bucket/key[?versionId=V]",
    description: `Prints the names in the env file with each value's length in bytes (and a fingerprint when
S3_KMS_ENV_FINGERPRINT_KEY holds a team secret of 16 or more characters). Values are
printed only with --reveal. The object must be SSE-KMS encrypted, as exec requires.`,
    example: [
      "s3-kms-env get s3://acme-config/prod/api.env",
      "s3-kms-env get s3://acme-config/prod/api.env --reveal --format shell",
    ],
    options: `Options:
  --reveal                 print the values: the stored dotenv text by default
  --format dotenv|json|shell
                           with --reveal: the stored text, a JSON object, or export lines

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const [uri = ""] = expectArgs(positionals, ["s3://bucket/key"]);
    const format = values.format;
    if (format !== undefined && !values.reveal) {
      throw usageError("--format applies to --reveal; without it only names are shown");
    }
    if (format !== undefined && !isOutputFormat(format)) {
      throw usageError(`--format must be one of ${OUTPUT_FORMATS.join(", ")}`);
    }
    if (values.reveal && values.json) {
      throw usageError("use --reveal --format json for values as JSON");
    }
    return { loc: parseS3Uri(uri), format: format ?? "dotenv" };
  },
  run: async ({ values, args, env: environment, log, settings, s3, sealed }) => {
    const fingerprint = fingerprinterFrom(environment[FINGERPRINT_KEY_ENV]);
    const keepText = values.reveal === true && args.format === "dotenv";
    const loaded = await loadEnv(
      s3,
      args.loc,
      readOptions(settings, await readerTrustedKeys(settings), sealed),
      keepText,
    );
    warnDuplicates(log, args.loc.uri, loaded.duplicates);
    log.info(args.loc.uri, {
      version: loaded.versionId,
      kms: loaded.kmsKeyArn,
      sealed: loaded.sealed?.keyId,
      variables: loaded.vars.size,
    });
    if (values.reveal) {
      await writeOut(revealed(loaded, args.format));
      return 0;
    }
    const names = describeVars(loaded.vars, fingerprint);
    if (values.json) {
      await writeJson({
        uri: args.loc.uri,
        versionId: loaded.versionId,
        etag: loaded.etag,
        kmsKeyArn: loaded.kmsKeyArn,
        variables: names,
      });
    } else {
      await writeOut(
        names
          .map((n) => `${n.name} bytes=${n.bytes}${n.fingerprint ? ` fp=${n.fingerprint}` : ""}\n`)
          .join(""),
      );
    }
    return 0;
  },
});
