// `s3-kms-env set s3://bucket/key NAME=value|NAME=@file|NAME=- …`: argument
// handling only (see ops/set.ts and ops/assignments.ts).
import { parseAssignments, resolveAssignments } from "../../ops/assignments";
import { setEnv } from "../../ops/set";
import { newObjectKey, opsCommand } from "../ops-common";
import { reportUpdate, updateArgs, updateOptions, updateOptionsFrom } from "../rewrite-args";

export const setCommand = opsCommand({
  name: "set",
  options: updateOptions,
  args: (positionals, values) => {
    const args = updateArgs(positionals, values, "NAME=value|NAME=@file|NAME=-");
    return { ...args, assignments: parseAssignments(args.rest) };
  },
  run: async ({ values, args, log, settings, s3, allowNames }) => {
    const assigned = await resolveAssignments(args.assignments, settings.s3.maxBytes);
    const options = await updateOptionsFrom(settings, allowNames, args.maxAttempts);
    const create = await newObjectKey(values, settings);
    const result = await setEnv(s3, args.loc, { ...options, create }, assigned);
    await reportUpdate(log, values.json, args.loc, result, { set: [...assigned.keys()] });
    return 0;
  },
});
