// Decide whether an object may be trusted as an env file. Anyone with only
// s3:PutObject could otherwise plant a plaintext file that sets, say,
// LD_PRELOAD; requiring SSE-KMS (and optionally one exact key) means the
// writer also needed rights on the KMS key.
import { VerifyError } from "../errors";
import type { S3Location } from "./uri";

export interface EncryptionPolicy {
  /** Accept SSE-S3 or unencrypted objects (local development only). */
  readonly allowUnencrypted: boolean;
  /** The key ARN objects must be encrypted with, already resolved from an id or alias. */
  readonly kmsKeyArn: string | undefined;
}

export interface Encryption {
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyArn: string | undefined;
}

const KMS_MODES = new Set(["aws:kms", "aws:kms:dsse"]);

/** A bare key id matches the key ARN that S3 reports; anything else must match exactly. */
export function sameKey(expected: string, actualArn: string): boolean {
  return expected.startsWith("arn:")
    ? expected === actualArn
    : actualArn.endsWith(`:key/${expected}`);
}

export function verifyEncryption(loc: S3Location, enc: Encryption, policy: EncryptionPolicy): void {
  const isKms = enc.serverSideEncryption !== undefined && KMS_MODES.has(enc.serverSideEncryption);
  if (!isKms) {
    if (policy.allowUnencrypted && policy.kmsKeyArn === undefined) return;
    const how = enc.serverSideEncryption ?? "no server-side encryption";
    throw new VerifyError(
      "NOT_KMS_ENCRYPTED",
      `${loc.uri} is not encrypted with SSE-KMS (it has ${how}); refusing to trust it. ` +
        `Upload it with "s3-kms-env put"`,
    );
  }
  if (policy.kmsKeyArn === undefined) return;
  if (enc.kmsKeyArn === undefined || !sameKey(policy.kmsKeyArn, enc.kmsKeyArn)) {
    throw new VerifyError(
      "WRONG_KMS_KEY",
      `${loc.uri} is encrypted with KMS key ${enc.kmsKeyArn ?? "(not reported)"}, ` +
        `not the required ${policy.kmsKeyArn}`,
    );
  }
}
