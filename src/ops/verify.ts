// verify: would exec accept this object? It must exist, be SSE-KMS (under a
// trusted key, if any are named) and parse under exec's rules. Unencrypted
// objects never pass, whatever --insecure-allow-unencrypted says elsewhere.
// The verify command also fails an object under an AWS-managed key: anyone
// allowed to use S3 in the account can encrypt with aws/s3, so such a file
// proves nothing about who wrote it.
import type { OpsS3 } from "./s3";
import { S3KmsEnvError } from "../errors";
import type { KmsAccess } from "../aws/kms-key";
import type { S3Location } from "../s3/location";
import { checkExecNames } from "./exec-policy";
import { loadEnv } from "./read";
import { startDeadline } from "../deadline";
import type { SealedRoom } from "../sealed/lazy";

export interface VerifyOptions {
  readonly maxBytes: number;
  /** undefined: any KMS key. */
  readonly trustedKeys: readonly string[] | undefined;
  readonly allowNames: ReadonlySet<string>;
  readonly sealed: SealedRoom;
}

export interface Verified {
  readonly versionId: string | undefined;
  readonly kmsKeyArn: string | undefined;
  /** The key a sealed object was sealed under. */
  readonly sealedKmsKeyArn?: string | undefined;
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
    encryption: { allowUnencrypted: false, trustedKeys: options.trustedKeys },
    sealed: options.sealed,
  });
  checkExecNames(loc.uri, env.vars, options.allowNames, "verify");
  return {
    versionId: env.versionId,
    kmsKeyArn: env.kmsKeyArn,
    ...(env.sealed === undefined ? {} : { sealedKmsKeyArn: env.sealed.keyId }),
    variables: env.vars.size,
    duplicates: env.duplicates,
  };
}

const CHECK = {
  verb: "check whether AWS manages",
  deniedHint: "allow it on the key, so verify can tell an AWS-managed key from yours",
};

/** One kms:DescribeKey on the object's key; fails when AWS manages it. */
export async function checkCustomerManaged(
  uri: string,
  keyArn: string | undefined,
  kms: KmsAccess,
): Promise<void> {
  if (keyArn === undefined) return;
  const { describeKey } = await import("../aws/kms-key");
  // Its own deadline: --timeout bounds each ops request, not the whole run.
  const key = await describeKey(
    keyArn,
    { ...kms, deadline: startDeadline(kms.deadline.timeoutMs) },
    CHECK,
  );
  if (key.keyManager !== "AWS") return;
  throw new S3KmsEnvError(
    "AWS_MANAGED_KEY",
    `${uri} is encrypted with the AWS-managed KMS key ${keyArn}: anyone with s3:PutObject on ` +
      `the bucket can write under it, so it proves nothing about the writer. Check its content ` +
      `and put it again under a customer-managed key`,
  );
}

/** What the verify command checks: verifyEnv, then that the key is not AWS-managed. */
export async function verifyObject(
  s3: OpsS3,
  loc: S3Location,
  options: VerifyOptions & { readonly kms: KmsAccess },
): Promise<Verified> {
  const verified = await verifyEnv(s3, loc, options);
  await checkCustomerManaged(loc.uri, verified.kmsKeyArn, options.kms);
  return verified;
}
