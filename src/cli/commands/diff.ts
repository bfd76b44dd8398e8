// `s3-kms-env diff A B`: each side a local file (plain or sealed), "-" or
// s3://bucket/key. Exit 0 same, 1 different, 125 error, like diff(1).
import { usageError } from "../../errors";
import { diffEnv, isSame } from "../../ops/diff";
import { parseS3Uri } from "../../s3/location";
import { readerTrustedKeys } from "../../aws/settings";
import { expectArgs, opsOptions, readOptions, opsCommand, OPS_OPTIONS } from "../ops-common";
import { writeJson, writeOut } from "../output";
import { s3ObjectOptions } from "../sealed-options";
import { boundObject, S3_OBJECT_HELP } from "./seal";

export const diffCommand = opsCommand({
  name: "diff",
  help: () => ({
    summary: "compare two env files by name (exit 1 if they differ)",
    usage: "[options] A B",
    description: `Compares two env files, each a local file, "-" (stdin) or s3://bucket/key[?versionId=V],
and prints "- NAME" (only in A), "+ NAME" (only in B) and "~ NAME" (value changed).
Values are never printed. Exit status 0 same, 1 different, 125 error. A sealed local file
(what seal writes, told by its header) is opened as unseal opens it: only under a trusted key
(--kms-key-id, S3_KMS_ENV_KMS_KEY_ID, or --discovery-account) and in its context (--context,
and --s3-object for a file sealed for an S3 object).`,
    example: [
      "s3-kms-env diff s3://acme-config/prod/api.env prod.env",
      "s3-kms-env diff prod.env.sealed prod.env --kms-key-id alias/acme-config --context app=api",
    ],
    options: `Options:
${S3_OBJECT_HELP}

${OPS_OPTIONS}`,
  }),
  options: { ...opsOptions, ...s3ObjectOptions },
  args: (positionals, values) => {
    const [a = "", b = ""] = expectArgs(positionals, ["A", "B"]);
    if (a === "-" && b === "-") throw usageError("only one side can be stdin (-)");
    for (const side of [a, b]) if (side.startsWith("s3://")) parseS3Uri(side);
    return { a, b, localObject: boundObject(values["s3-object"]) };
  },
  run: async ({ values, args, settings, s3, sealed }) => {
    const diff = await diffEnv(s3, args.a, args.b, {
      ...readOptions(settings, await readerTrustedKeys(settings), sealed),
      localObject: args.localObject,
    });
    if (values.json) {
      await writeJson({ same: isSame(diff), ...diff });
    } else {
      const lines = [
        ...diff.removed.map((n) => `- ${n}`),
        ...diff.added.map((n) => `+ ${n}`),
        ...diff.changed.map((n) => `~ ${n}`),
      ];
      await writeOut(lines.map((l) => `${l}\n`).join(""));
    }
    return isSame(diff) ? 0 : 1;
  },
});
