// `s3-kms-env diff A B`: each side a local file, "-" or s3://bucket/key. Exit
// 0 same, 1 different, 125 error, like diff(1).
import { usageError } from "../../errors";
import { diffEnv, isSame } from "../../ops/diff";
import { parseS3Uri } from "../../s3/location";
import { readerTrustedKeys } from "../../aws/settings";
import { expectArgs, opsOptions, readOptions, opsCommand, OPS_OPTIONS } from "../ops-common";
import { writeJson, writeOut } from "../output";

export const diffCommand = opsCommand({
  name: "diff",
  help: () => ({
    summary: "compare two env files by name (exit 1 if they differ)",
    usage: "[options] A B",
    description: `Compares two env files, each a local file, "-" (stdin) or s3://bucket/key[?versionId=V],
and prints "- NAME" (only in A), "+ NAME" (only in B) and "~ NAME" (value changed).
Values are never printed. Exit status 0 same, 1 different, 125 error.`,
    example: ["s3-kms-env diff s3://acme-config/prod/api.env prod.env"],
    options: `${OPS_OPTIONS}`,
  }),
  options: opsOptions,
  args: (positionals) => {
    const [a = "", b = ""] = expectArgs(positionals, ["A", "B"]);
    if (a === "-" && b === "-") throw usageError("only one side can be stdin (-)");
    for (const side of [a, b]) if (side.startsWith("s3://")) parseS3Uri(side);
    return { a, b };
  },
  run: async ({ values, args, settings, s3, sealed }) => {
    const diff = await diffEnv(
      s3,
      args.a,
      args.b,
      readOptions(settings, await readerTrustedKeys(settings), sealed),
    );
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
