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
  OPS_OPTIONS,
  OPS_AUDIT_OPTIONS_HELP,
  TRUST_OPTIONS,
  NEW_OBJECT_OPTIONS,
  CLIENT_SIDE_HELP,
  clientSideOptions,
  sealedIfAsked,
} from "../ops-common";
import { writerTrustedKeys } from "../../aws/settings";
import { reportUpdate } from "../rewrite-args";

export const editCommand = opsCommand({
  name: "edit",
  help: () => ({
    summary: "edit an env file in $EDITOR, safely",
    usage: "[options] s3://bucket/key",
    description: `Opens the decrypted env file in $VISUAL or $EDITOR (run without a shell; vi when neither
is set and stdin is a terminal, else edit refuses before reading anything), from a 0600 file
in a private directory (on /dev/shm when there is one). On save it is checked as exec will
read it; on an error the editor opens again with the error on top (when stdin is not a
terminal, edit fails instead). The upload uses If-Match, so a concurrent change is never
overwritten. The file is always removed, also on failure or SIGINT/SIGTERM/SIGHUP. A sealed
object stays sealed; a new one is sealed with --client-side.`,
    example: ['EDITOR="code --wait" s3-kms-env edit s3://acme-config/prod/api.env'],
    options: `Options:
${TRUST_OPTIONS}
  When the object does not exist yet:
${NEW_OBJECT_OPTIONS}
${CLIENT_SIDE_HELP}

${OPS_AUDIT_OPTIONS_HELP}

${OPS_OPTIONS}`,
  }),
  options: { ...writeOptions, ...trustOptions, ...clientSideOptions },
  args: (positionals) => {
    const [uri = ""] = expectArgs(positionals, ["s3://bucket/key"]);
    return objectUri(uri);
  },
  target: (loc) => loc,
  run: async ({ values, args: loc, env, log, settings, s3, allowNames, audit, sealed }) => {
    const interactive = process.stdin.isTTY === true;
    // Before anything is read: no terminal and no editor named is a refusal, not vi on a pipe.
    const editor = editorCommand(env, interactive);
    const result = await editEnv(s3, loc, {
      ...readOptions(settings, await writerTrustedKeys(settings), sealed),
      allowNames,
      create: sealedIfAsked(values, await newObjectKey(values, settings)),
      editor,
      interactive,
      onInvalid: (err) => log.warn(`${err.message}; re-opening the editor`, { code: err.code }),
    });
    await reportUpdate({ log, audit }, values.json, loc, result, {});
    return 0;
  },
});
