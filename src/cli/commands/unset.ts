// `s3-kms-env unset s3://bucket/key NAME…`: argument handling only (see ops/unset.ts).
import { checkArgName } from "../../ops/assignments";
import { unsetEnv } from "../../ops/unset";
import {
  checkVersioning,
  opsOptions,
  opsCommand,
  trustOptions,
  versioningOptions,
  OPS_OPTIONS,
  OPS_AUDIT_OPTIONS_HELP,
  TRUST_OPTIONS,
  VERSIONING_OPTIONS,
} from "../ops-common";
import { reportUpdate, updateArgs, updateOptions, updateOptionsFrom } from "../rewrite-args";

const options = {
  ...opsOptions,
  ...trustOptions,
  ...versioningOptions,
  "max-attempts": updateOptions["max-attempts"],
} as const;

export const unsetCommand = opsCommand({
  name: "unset",
  help: () => ({
    summary: "remove variables from an env file",
    usage: "[options] s3://bucket/key NAME…",
    description: `Removes variables from the env file, with the same conflict-safe write as set. Names that
are not in the file are reported and ignored. Like set, it refuses a bucket without
versioning unless --allow-unversioned. Each removed name's line(s) go (every
occurrence, a multi-line value whole); comments, blank lines and the other lines stay.`,
    example: ["s3-kms-env unset s3://acme-config/prod/api.env OLD_TOKEN"],
    options: `Options:
  --max-attempts N         writes tried before giving up on a busy object (default 10)
${VERSIONING_OPTIONS}
${TRUST_OPTIONS}

${OPS_AUDIT_OPTIONS_HELP}

${OPS_OPTIONS}`,
  }),
  options,
  args: (positionals, values) => {
    const args = updateArgs(positionals, values, "NAME");
    args.rest.forEach((name, i) => checkArgName(name, i + 2));
    return args;
  },
  target: (args) => args.loc,
  run: async ({ values, args, log, settings, s3, allowNames, audit, sealed }) => {
    const options = await updateOptionsFrom(settings, allowNames, args.maxAttempts, sealed);
    await checkVersioning(values, s3, args.loc);
    const result = await unsetEnv(s3, args.loc, options, args.rest);
    const { absent } = result;
    if (absent.length > 0) log.warn(`not in ${args.loc.uri}`, { names: absent });
    await reportUpdate({ log, audit }, values.json, args.loc, result, { unset: args.rest, absent });
    return 0;
  },
});
