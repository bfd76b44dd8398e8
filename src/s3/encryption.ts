// Decide whether an object may be trusted as an env file. Anyone with only
// s3:PutObject could otherwise plant a plaintext file that sets, say,
// LD_PRELOAD; requiring SSE-KMS under a named key means the writer also
// needed rights on that key. Any key is not enough: the AWS-managed aws/s3
// key can be used by whoever may use S3 in the account.
import { S3KmsEnvError } from "../errors";
import type { S3Location } from "./location";

export interface EncryptionPolicy {
  /** Accept SSE-S3 or unencrypted objects (local development only, and only without trusted keys). */
  readonly allowUnencrypted: boolean;
  /**
   * The keys an object may be under (ARNs or bare key ids, aliases already
   * resolved); undefined: any KMS key (an explicit development opt-out, or an
   * ops command that reads with no trusted key named).
   */
  readonly trustedKeys: readonly string[] | undefined;
}

export interface Encryption {
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyArn: string | undefined;
}

const KMS_MODES = new Set(["aws:kms", "aws:kms:dsse"]);

export function isKmsMode(mode: string | undefined): mode is "aws:kms" | "aws:kms:dsse" {
  return mode !== undefined && KMS_MODES.has(mode);
}

/** A bare key id matches the key ARN that S3 reports; anything else must match exactly. */
export function sameKey(expected: string, actualArn: string): boolean {
  return expected.startsWith("arn:")
    ? expected === actualArn
    : actualArn.endsWith(`:key/${expected}`);
}

/** A list of trusted keys as a policy: an empty list means none was named, so any key. */
export function trustedOrAny(keys: readonly string[]): readonly string[] | undefined {
  return keys.length > 0 ? keys : undefined;
}

export function isTrustedKey(trusted: readonly string[], actualArn: string | undefined): boolean {
  return actualArn !== undefined && trusted.some((key) => sameKey(key, actualArn));
}

/** The WRONG_KMS_KEY message: which key the object is under, and which keys are trusted. */
export function untrustedKeyMessage(
  uri: string,
  actualArn: string | undefined,
  trusted: readonly string[],
): string {
  return (
    `${uri} is encrypted with KMS key ${actualArn ?? "(not reported)"}, ` +
    `not a trusted key (trusted: ${trusted.join(", ") || "none named"}); refusing to trust it. ` +
    `Upload it again under a trusted key, or trust its key only if you know who can write with it`
  );
}

export function verifyEncryption(loc: S3Location, enc: Encryption, policy: EncryptionPolicy): void {
  const trusted = policy.trustedKeys;
  if (!isKmsMode(enc.serverSideEncryption)) {
    if (policy.allowUnencrypted && trusted === undefined) return;
    const how = enc.serverSideEncryption ?? "no server-side encryption";
    throw new S3KmsEnvError(
      "NOT_KMS_ENCRYPTED",
      `${loc.uri} is not encrypted with SSE-KMS (it has ${how}); refusing to trust it. ` +
        `Upload it with "s3-kms-env put"`,
    );
  }
  if (trusted === undefined || isTrustedKey(trusted, enc.kmsKeyArn)) return;
  throw new S3KmsEnvError("WRONG_KMS_KEY", untrustedKeyMessage(loc.uri, enc.kmsKeyArn, trusted));
}

export interface DevOptOuts {
  /** --insecure-any-kms-key */
  readonly anyKey: boolean;
  /** --insecure-allow-unencrypted */
  readonly allowUnencrypted: boolean;
}

/**
 * exec's trusted keys: the named ones, or undefined (any key) under a
 * development opt-out. Naming none is refused: trusting any key would trust
 * the AWS-managed aws/s3 key, and with it anyone who may write to the bucket.
 * --insecure-allow-unencrypted also counts as an opt-out, because a file with
 * no encryption at all is already a weaker proof than one under any key.
 */
export function execTrustedKeys(
  named: readonly string[],
  optOuts: DevOptOuts,
): readonly string[] | undefined {
  if (named.length > 0) return named;
  if (optOuts.anyKey || optOuts.allowUnencrypted) return undefined;
  throw new S3KmsEnvError(
    "NO_TRUSTED_KEY",
    "no trusted KMS key is named, and an object under any key (the AWS-managed aws/s3 key " +
      "included) could have been written by anyone with s3:PutObject; give --kms-key-id ARN " +
      "or set S3_KMS_ENV_KMS_KEY_ID=ARN[,ARN…] to the key(s) your env files are encrypted with",
  );
}
