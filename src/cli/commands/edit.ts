// `s3-kms-env edit s3://bucket/key`: argument handling only (see ops/edit.ts).
import { editEnv } from "../../ops/edit";
import { editorCommand } from "../../ops/editor";
import {
  expectArgs,
  newObjectKey,
  objectUri,
  opsCommand,
  readOptions,
  trustOptions,
  writeOptions,
} from "../ops-common";
import { writerTrustedKeys } from "../../aws/settings";
import { reportUpdate } from "../rewrite-args";

export const editCommand = opsCommand({
  name: "edit",
  options: { ...writeOptions, ...trustOptions },
  args: (positionals) => {
    const [uri = ""] = expectArgs(positionals, ["s3://bucket/key"]);
    return objectUri(uri);
  },
  run: async ({ values, args: loc, env, log, settings, s3, allowNames }) => {
    const result = await editEnv(s3, loc, {
      ...readOptions(settings, await writerTrustedKeys(settings)),
      allowNames,
      create: await newObjectKey(values, settings),
      editor: editorCommand(env),
      interactive: process.stdin.isTTY === true,
      onInvalid: (err) => log.warn(`${err.message}; re-opening the editor`, { code: err.code }),
    });
    await reportUpdate(log, values.json, loc, result, {});
    return 0;
  },
});
