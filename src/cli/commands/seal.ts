// `s3-kms-env seal FILE|- --kms-key-id KEY [--context k=v]… [-o OUT]`:
// argument handling only; the sealing is src/sealed/seal.ts.
import { writeFile } from "node:fs/promises";
import { S3KmsEnvError, usageError } from "../../errors";
import { leanKms } from "../../aws/kms-decrypt";
import { inputName, readInput } from "../../ops/local-input";
import { parseForExec } from "../../ops/exec-policy";
import { sealedForm } from "../../sealed/format";
import { writeKey } from "../../aws/settings";
import { objectPlace } from "../../sealed/context";
import {
  expectArgs,
  objectUri,
  opsCommand,
  baseOpsOptions,
  warnDuplicates,
  OPS_OPTIONS,
} from "../ops-common";
import { writeOut } from "../output";
import { contextFor, contextOptions, s3ObjectOptions, CONTEXT_HELP } from "../sealed-options";

// Sealing trusts no one: no --discovery-account.
const options = {
  ...baseOpsOptions,
  ...contextOptions,
  ...s3ObjectOptions,
  output: { type: "string", short: "o" },
} as const;

/** --s3-object s3://bucket/key: the object a local sealed file is (or was) sealed for. */
export function boundObject(uri: string | undefined): string | undefined {
  return uri === undefined ? undefined : objectPlace(objectUri(uri));
}

export const S3_OBJECT_HELP = `  --s3-object s3://b/k     bind to (or expect) that S3 object, as put --client-side does`;

export const sealCommand = opsCommand({
  name: "seal",
  help: () => ({
    summary: "seal an env file for git or S3 (AWS Encryption SDK message under a KMS key)",
    usage: "[options] FILE|- --kms-key-id KEY [-o OUT]",
    description: `Encrypts an env file on this machine (client-side) into an AWS Encryption SDK message
under one KMS key, bound to its encryption context, and writes it as base64 text (what
aws-encryption-cli --encode writes): safe to commit. The file is first checked exactly as
exec will read it. Open it with "s3-kms-env unseal", exec file://PATH, or in an emergency
aws-encryption-cli --decrypt --decode (see the README).`,
    example: [
      "s3-kms-env seal prod.env --kms-key-id alias/acme-config --context app=api -o prod.env.sealed",
    ],
    options: `Options:
  --kms-key-id KEY         the KMS key to seal under (once)
${CONTEXT_HELP}
${S3_OBJECT_HELP}
  -o, --output OUT         write the sealed text there (default: stdout)

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const [file = ""] = expectArgs(positionals, ["FILE|-"]);
    return { file, context: contextFor(values, boundObject(values["s3-object"])) };
  },
  run: async ({ values, args, log, settings, allowNames }) => {
    const keyId = await writeKey(settings);
    if (keyId === undefined) throw usageError("give --kms-key-id KEY: the KMS key to seal under");
    const from = inputName(args.file);
    const body = await readInput(args.file, settings.s3.maxBytes);
    let sealed: string;
    try {
      if (sealedForm(body) !== undefined) {
        throw usageError(`${from} is already sealed; seal the plaintext instead`);
      }
      const parsed = parseForExec(body, from, settings.s3.maxBytes, allowNames);
      warnDuplicates(log, from, parsed.duplicates);
      const { sealedKms, sealText } = await import("../../sealed");
      const kms = sealedKms(settings.kms, leanKms(settings.kms));
      try {
        sealed = await sealText(body, { where: from, keyId, context: args.context }, kms);
      } finally {
        kms.destroy();
      }
      log.info(`sealed ${from}`, { kms: keyId, variables: parsed.vars.size });
    } finally {
      body.fill(0);
    }
    const out = values.output;
    if (out === undefined || out === "-") await writeOut(sealed);
    else
      await writeFile(out, sealed).catch((err: unknown) => {
        throw new S3KmsEnvError(
          "CANNOT_WRITE_FILE",
          `cannot write ${out} (${(err as { code?: string }).code ?? "write error"})`,
        );
      });
    return 0;
  },
});
