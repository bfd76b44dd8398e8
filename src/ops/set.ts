// set: give names values in one env object, with rewrite.ts's conflict-safe
// read-modify-write (the object keeps its KMS key).
import type { S3Location } from "../s3/location";
import { updateEnv, type UpdateOptions, type UpdateResult } from "./rewrite";
import type { OpsS3 } from "./s3";

export function setEnv(
  s3: OpsS3,
  loc: S3Location,
  options: UpdateOptions,
  values: ReadonlyMap<string, string>,
): Promise<UpdateResult> {
  return updateEnv(s3, loc, options, (vars) =>
    values.forEach((value, name) => vars.set(name, value)),
  );
}
