// unset: remove names from one env object, with rewrite.ts's conflict-safe
// read-modify-write. The object must exist; names it does not set are
// reported, not an error.
import type { S3Location } from "../s3/location";
import { updateEnv, type UpdateOptions, type UpdateResult } from "./rewrite";
import type { OpsS3 } from "./s3";

export interface UnsetResult extends UpdateResult {
  /** Names that were not in the object (as of the read that was written). */
  readonly absent: readonly string[];
}

export async function unsetEnv(
  s3: OpsS3,
  loc: S3Location,
  options: Omit<UpdateOptions, "create">,
  names: readonly string[],
): Promise<UnsetResult> {
  let absent: string[] = [];
  const result = await updateEnv(s3, loc, { ...options, create: undefined }, (vars) => {
    absent = names.filter((name) => !vars.delete(name));
  });
  return { ...result, absent };
}
