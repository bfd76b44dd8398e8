// rollback: make an older version current again by copying it on top (a new
// version; history is kept), under the current object's KMS key. The old
// version must pass what verify checks, or it could not start the app, and be
// under a key the user trusts: a version someone wrote under a key of their
// own would otherwise come back under the trusted one.
import type { OpsS3 } from "./s3";
import { hasCode, S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import { isKmsMode, isTrustedKey, untrustedKeyMessage } from "../s3/encryption";
import { ifExists } from "./read";
import { keptEncryption, unchangedSince } from "./object";
import type { Encrypt, ObjectFacts, Written } from "./s3";
import { verifyEnv } from "./verify";
import type { SealedRoom } from "../sealed/lazy";

export interface RollbackOptions {
  readonly maxBytes: number;
  readonly allowNames: ReadonlySet<string>;
  /** --kms-key-id: the key to use when there is no current object. */
  readonly pin: Encrypt | undefined;
  /**
   * The keys the user trusts (--trusted-kms-key-id or S3_KMS_ENV_KMS_KEY_ID,
   * and --kms-key-id): the old version must be under one of them, or under
   * the key it is written with.
   */
  readonly trustedKeys: readonly string[];
  /** Opens the version when it is sealed (a copy keeps it sealed). */
  readonly sealed: SealedRoom;
}

export interface RollbackResult extends Written {
  /** The version that was current before (undefined when there was none). */
  readonly previousVersionId: string | undefined;
  /** False when the version was already the current one, or identical to it: nothing was written. */
  readonly changed: boolean;
  /** The current version, when the one asked for has the very same bytes (and nothing was written). */
  readonly identicalTo: string | undefined;
  readonly variables: number;
  /** The key the restored version is sealed under (a copy keeps it so); undefined for a plain one. */
  readonly sealedKmsKeyArn: string | undefined;
}

/** With --kms-key-id, the current object must already be under it: rollback never changes keys. */
function checkPin(
  loc: S3Location,
  current: ObjectFacts | undefined,
  pin: Encrypt | undefined,
): void {
  const expected = pin?.kmsKeyId;
  if (current === undefined || expected === undefined) return;
  if (!isKmsMode(current.serverSideEncryption) || isTrustedKey([expected], current.kmsKeyArn))
    return;
  throw new S3KmsEnvError(
    "WRONG_KMS_KEY",
    `${untrustedKeyMessage(loc.uri, current.kmsKeyArn, [expected])}; use rekey to change keys`,
  );
}

/**
 * The keys the old version may be under: the trusted ones and the key it is
 * about to be written under. Any other key would move what someone else
 * wrote under a key exec trusts.
 */
function versionKeys(options: RollbackOptions, encrypt: Encrypt): string[] {
  return [...options.trustedKeys, ...(encrypt.kmsKeyId === undefined ? [] : [encrypt.kmsKeyId])];
}

export async function rollbackEnv(
  s3: OpsS3,
  loc: S3Location,
  versionId: string,
  options: RollbackOptions,
): Promise<RollbackResult> {
  const current = await ifExists(s3.headObject(loc));
  if (current === undefined && options.pin === undefined) {
    throw new S3KmsEnvError(
      "NO_SUCH_KEY",
      `${loc.uri} has no current version (it was deleted), so there is no key to keep; give --kms-key-id to restore it under that key`,
    );
  }
  checkPin(loc, current, options.pin);
  const encrypt = keptEncryption(loc, current, options.pin);
  const old = await verifyEnv(
    s3,
    { ...loc, versionId, uri: `${loc.uri}?versionId=${versionId}` },
    {
      maxBytes: options.maxBytes,
      trustedKeys: versionKeys(options, encrypt),
      allowNames: options.allowNames,
      sealed: options.sealed,
    },
  );
  if (current?.versionId === versionId) {
    const { etag, kmsKeyArn } = current;
    return {
      versionId,
      etag,
      kmsKeyArn,
      previousVersionId: versionId,
      changed: false,
      identicalTo: undefined,
      variables: old.variables,
      sealedKmsKeyArn: old.sealedKmsKeyArn,
    };
  }
  if (current !== undefined && (await sameBytes(s3, loc, versionId, current, options.maxBytes))) {
    const { etag, kmsKeyArn } = current;
    return {
      versionId: current.versionId,
      etag,
      kmsKeyArn,
      previousVersionId: current.versionId,
      changed: false,
      identicalTo: current.versionId,
      variables: old.variables,
      sealedKmsKeyArn: old.sealedKmsKeyArn,
    };
  }
  try {
    const written = await s3.copyObject(
      loc,
      { versionId, etag: undefined },
      encrypt,
      unchangedSince(current),
    );
    return {
      ...written,
      previousVersionId: current?.versionId,
      changed: true,
      identicalTo: undefined,
      variables: old.variables,
      sealedKmsKeyArn: old.sealedKmsKeyArn,
    };
  } catch (err) {
    if (!hasCode(err, "CONFLICT")) throw err;
    throw new S3KmsEnvError(
      "CONFLICT",
      `${loc.uri} changed while rolling back; nothing was written. Check "s3-kms-env history" and run it again`,
    );
  }
}

/**
 * Whether the version holds exactly the current version's bytes, under a KMS
 * key: copying it on top would add a version that changes nothing. Only
 * compared, never shown; a current object that is not SSE-KMS is always
 * rewritten (the copy encrypts it).
 */
async function sameBytes(
  s3: OpsS3,
  loc: S3Location,
  versionId: string,
  current: ObjectFacts,
  maxBytes: number,
): Promise<boolean> {
  if (current.versionId === undefined || !isKmsMode(current.serverSideEncryption)) return false;
  const [a, b] = await Promise.all([
    s3.getObject({ ...loc, versionId }, maxBytes),
    s3.getObject({ ...loc, versionId: current.versionId }, maxBytes),
  ]);
  try {
    return a.body.equals(b.body);
  } finally {
    a.body.fill(0);
    b.body.fill(0);
  }
}
