// verify: would exec accept this object? It must exist, be SSE-KMS (under the
// pinned key, if any) and parse under exec's rules. Unencrypted objects never
// pass, whatever --insecure-allow-unencrypted says elsewhere.
import type { OpsS3 } from "./client";
import type { S3Location } from "../source/uri";
import { checkExecNames } from "./exec-policy";
import { loadEnv } from "./load";

export interface VerifyOptions {
  readonly maxBytes: number;
  readonly kmsKeyArn: string | undefined;
  readonly allowNames: ReadonlySet<string>;
}

export interface Verified {
  readonly versionId: string | undefined;
  readonly kmsKeyArn: string | undefined;
  readonly variables: number;
  readonly duplicates: readonly string[];
}

export async function verifyEnv(
  s3: OpsS3,
  loc: S3Location,
  options: VerifyOptions,
): Promise<Verified> {
  const env = await loadEnv(s3, loc, {
    maxBytes: options.maxBytes,
    encryption: { allowUnencrypted: false, kmsKeyArn: options.kmsKeyArn },
  });
  checkExecNames(loc.uri, env.vars, options.allowNames);
  return {
    versionId: env.versionId,
    kmsKeyArn: env.kmsKeyArn,
    variables: env.vars.size,
    duplicates: env.duplicates,
  };
}
