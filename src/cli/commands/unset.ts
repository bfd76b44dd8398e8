// `s3-kms-env unset s3://bucket/key NAME…`: argument handling only (see ops/update.ts).
import { checkArgName } from "../../ops/assignments";
import { updateEnv } from "../../ops/rewrite";
import { opsOptions, opsCommand, trustOptions } from "../ops-common";
import { reportUpdate, updateArgs, updateOptions, updateOptionsFrom } from "../rewrite-args";

const options = {
  ...opsOptions,
  ...trustOptions,
  "max-attempts": updateOptions["max-attempts"],
} as const;

export const unsetCommand = opsCommand({
  name: "unset",
  options,
  args: (positionals, values) => {
    const args = updateArgs(positionals, values, "NAME");
    args.rest.forEach((name, i) => checkArgName(name, i + 2));
    return args;
  },
  run: async ({ values, args, log, settings, s3, allowNames }) => {
    let absent: string[] = [];
    const result = await updateEnv(
      s3,
      args.loc,
      { ...(await updateOptionsFrom(settings, allowNames, args.maxAttempts)), create: undefined },
      (vars) => {
        absent = args.rest.filter((name) => !vars.delete(name));
      },
    );
    if (absent.length > 0) log.warn(`not in ${args.loc.uri}`, { names: absent });
    await reportUpdate(log, values.json, args.loc, result, { unset: args.rest, absent });
    return 0;
  },
});
