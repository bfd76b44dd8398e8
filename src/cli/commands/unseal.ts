// `s3-kms-env unseal FILE|- [-o OUT] [--reveal]`: argument handling only;
// the opening is src/sealed/unseal.ts.
import { open } from "node:fs/promises";
import { S3KmsEnvError, usageError } from "../../errors";
import { leanKms } from "../../aws/kms-decrypt";
import { inputName, readInput } from "../../ops/local-input";
import { expectArgs, opsCommand, opsOptions, OPS_OPTIONS } from "../ops-common";
import { writeOut } from "../output";
import { contextFor, openOptions, s3ObjectOptions, trustFrom, OPEN_HELP } from "../sealed-options";
import { boundObject, S3_OBJECT_HELP } from "./seal";

const options = {
  ...opsOptions,
  ...openOptions,
  ...s3ObjectOptions,
  output: { type: "string", short: "o" },
  reveal: { type: "boolean" },
} as const;

/** A new file only this user can read: never an existing one, never through a link. */
async function writeNewPrivateFile(path: string, data: Buffer): Promise<void> {
  let file;
  try {
    file = await open(path, "wx", 0o600);
    await file.writeFile(data);
  } catch (err) {
    const code = (err as { code?: string }).code ?? "write error";
    throw new S3KmsEnvError(
      "CANNOT_WRITE_FILE",
      code === "EEXIST"
        ? `${path} already exists; unseal writes only a new file (mode 0600): remove it or choose another path`
        : `cannot write ${path} (${code})`,
    );
  } finally {
    await file?.close();
  }
}

export const unsealCommand = opsCommand({
  name: "unseal",
  help: () => ({
    summary: "open a sealed env file (only under trusted keys, in its own context)",
    usage: "[options] FILE|- --kms-key-id KEY [-o OUT | --reveal]",
    description: `Opens a sealed env file (base64 text or the raw message) and writes the plaintext to a new
file of mode 0600 (-o) or to stdout; to a terminal only with --reveal. The file must be
sealed under a trusted key (--kms-key-id, else S3_KMS_ENV_KMS_KEY_ID; or any key of an
account given with --discovery-account) and carry the expected encryption context:
purpose=s3-kms-env and every --context pair. One KMS Decrypt.`,
    example: [
      "s3-kms-env unseal prod.env.sealed --kms-key-id alias/acme-config --context app=api -o prod.env",
    ],
    options: `Options:
  --kms-key-id KEY         a key trusted to have sealed it: repeatable or comma-separated
${OPEN_HELP}
${S3_OBJECT_HELP}
  -o, --output OUT         write the plaintext to this new file (mode 0600)
  --reveal                 allow the plaintext on a terminal

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const [file = ""] = expectArgs(positionals, ["FILE|-"]);
    const out = values.output;
    if (out !== undefined && values.reveal)
      throw usageError("give either -o or --reveal, not both");
    if (out === undefined && !values.reveal && process.stdout.isTTY) {
      throw usageError("refusing to print the plaintext on a terminal: pass --reveal, or -o FILE");
    }
    return { file, out, context: contextFor(values, boundObject(values["s3-object"])) };
  },
  run: async ({ values, args, log, settings }) => {
    const trust = trustFrom(values, settings);
    const from = inputName(args.file);
    const body = await readInput(args.file, settings.s3.maxBytes);
    const { sealedKms, unsealBytes } = await import("../../sealed");
    const kms = sealedKms(settings.kms, leanKms(settings.kms));
    let plaintext: Buffer | undefined;
    try {
      const opened = await unsealBytes(
        body,
        { where: from, trust, context: args.context, maxBytes: settings.s3.maxBytes },
        kms,
      );
      plaintext = opened.plaintext;
      log.info(`unsealed ${from}`, { kms: opened.keyArn, bytes: plaintext.length });
      if (args.out === undefined || args.out === "-") await writeOut(plaintext);
      else await writeNewPrivateFile(args.out, plaintext);
    } finally {
      kms.destroy();
      body.fill(0);
      plaintext?.fill(0);
    }
    return 0;
  },
});
