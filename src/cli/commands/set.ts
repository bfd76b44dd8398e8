// `s3-kms-env set s3://bucket/key NAME=value|NAME=@file|NAME=- …`: argument
// handling only (see ops/set.ts and ops/assignments.ts).
import { parseAssignments, resolveAssignments } from "../../ops/assignments";
import { setEnv } from "../../ops/set";
import {
  newObjectKey,
  opsCommand,
  OPS_OPTIONS,
  OPS_AUDIT_OPTIONS_HELP,
  TRUST_OPTIONS,
  NEW_OBJECT_OPTIONS,
  VERSIONING_OPTIONS,
  CLIENT_SIDE_HELP,
  checkVersioning,
  clientSideOptions,
  sealedIfAsked,
} from "../ops-common";
import { reportUpdate, updateArgs, updateOptions, updateOptionsFrom } from "../rewrite-args";

export const setCommand = opsCommand({
  name: "set",
  help: () => ({
    summary: "set variables in an env file, safe against concurrent writers",
    usage: "[options] s3://bucket/key NAME=value|NAME=@file|NAME=- …",
    description: `Sets variables in the env file: reads it, changes them, checks the result as exec will
read it, and writes it back only if nobody changed it meanwhile (If-Match on the ETag
read; If-None-Match when creating). On a conflict it re-reads and re-applies, up to
--max-attempts times. A bucket without versioning (or with it suspended) is refused before
anything is written, unless --allow-unversioned. The object keeps its KMS key, which must
be trusted when any trusted key is named, and a sealed object stays sealed; a new one is
sealed with --client-side. NAME=@file takes the value from a file and NAME=- from stdin (one
trailing newline removed), so secrets stay out of shell history; an empty file or stdin is
refused (NAME= sets an empty value). NAME=@@text sets the literal value @text. The rest of
the file stays as written: comments, blank lines, "export " and the order of the other lines;
a changed value is rewritten in place (a multi-line value whole), a new name is added at the
end.`,
    example: [
      "s3-kms-env set s3://acme-config/prod/api.env DB_PASSWORD=@/run/secrets/db LOG_LEVEL=info",
    ],
    options: `Options:
  --max-attempts N         writes tried before giving up on a busy object (default 10)
${VERSIONING_OPTIONS}
${TRUST_OPTIONS}
  When the object does not exist yet:
${NEW_OBJECT_OPTIONS}
${CLIENT_SIDE_HELP}

${OPS_AUDIT_OPTIONS_HELP}

${OPS_OPTIONS}`,
  }),
  options: { ...updateOptions, ...clientSideOptions },
  args: (positionals, values) => {
    const args = updateArgs(positionals, values, "NAME=value|NAME=@file|NAME=-");
    return { ...args, assignments: parseAssignments(args.rest) };
  },
  target: (args) => args.loc,
  run: async ({ values, args, log, settings, s3, allowNames, audit, sealed }) => {
    const assigned = await resolveAssignments(args.assignments, settings.s3.maxBytes);
    const options = await updateOptionsFrom(settings, allowNames, args.maxAttempts, sealed);
    const create = sealedIfAsked(values, await newObjectKey(values, settings));
    await checkVersioning(values, s3, args.loc);
    const result = await setEnv(s3, args.loc, { ...options, create }, assigned);
    await reportUpdate({ log, audit }, values.json, args.loc, result, {
      set: [...assigned.keys()],
    });
    return 0;
  },
});
