// What a rewrite keeps of the object it replaces: its KMS key and bucket-key
// setting, whether (and under which key) it is sealed, and the condition
// that nothing changed since it was read.
import { S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import { isKmsMode } from "../s3/encryption";
import type { Condition, Encrypt, ObjectFacts, SealAs } from "./s3";
import { objectPlace } from "../sealed/context";
import type { SealedRoom } from "../sealed/lazy";

/** The condition that a write replaces exactly what was read (or creates what was absent). */
export function unchangedSince(read: ObjectFacts | undefined): Condition {
  return read?.etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: read.etag };
}

export function missingObject(loc: S3Location): S3KmsEnvError {
  return new S3KmsEnvError(
    "NO_SUCH_KEY",
    `${loc.uri} does not exist; give --kms-key-id (or --bucket-default-key) to create it`,
  );
}

/**
 * --client-side (a sealed `fallback`) on an object that exists and is plain:
 * refused rather than ignored, also when the change would write nothing.
 */
export function refuseSealingExisting(
  loc: S3Location,
  current: { readonly sealed?: SealAs | undefined } | undefined,
  fallback: Encrypt | undefined,
): void {
  if (current === undefined || fallback?.sealed === undefined || current.sealed !== undefined) {
    return;
  }
  throw new S3KmsEnvError(
    "NOT_SEALED",
    `${loc.uri} exists and is not sealed; --client-side seals only a new object (to seal this one, upload it again with "s3-kms-env put --client-side")`,
  );
}

/**
 * How a rewrite of the object is encrypted: with its own KMS key and bucket-key
 * setting, so set, edit and rollback never move it to another key. `fallback`
 * (from --kms-key-id) serves only an absent object: a plaintext one (readable
 * with --insecure-allow-unencrypted) is never moved under a key, which would
 * make whatever anyone planted in it look trusted.
 */
export function keptEncryption(
  loc: S3Location,
  current: (ObjectFacts & { readonly sealed?: SealAs | undefined }) | undefined,
  fallback: Encrypt | undefined,
): Encrypt {
  if (current === undefined) {
    if (fallback) return fallback;
    throw missingObject(loc);
  }
  refuseSealingExisting(loc, current, fallback);
  const mode = current.serverSideEncryption;
  if (!isKmsMode(mode)) {
    throw new S3KmsEnvError(
      "NOT_KMS_ENCRYPTED",
      `${loc.uri} is not SSE-KMS encrypted, so it has no key to keep; check its content and upload it with "s3-kms-env put"`,
    );
  }
  if (current.kmsKeyArn === undefined) {
    throw new S3KmsEnvError("KMS_ERROR", `${loc.uri}: S3 did not report the object's KMS key`);
  }
  return {
    mode,
    kmsKeyId: current.kmsKeyArn,
    bucketKeyEnabled: current.bucketKeyEnabled === true,
    // A sealed object stays sealed, under the key and context it was sealed with.
    sealed: current.sealed,
  };
}

/** What a write uploads: the plaintext, or its sealed message when `encrypt` says so. */
export async function bodyToWrite(
  sealed: SealedRoom,
  loc: S3Location,
  plaintext: Buffer,
  encrypt: Encrypt,
): Promise<Buffer> {
  if (encrypt.sealed === undefined) return plaintext;
  return sealed.seal(plaintext, encrypt.sealed, objectPlace(loc));
}

/** No version id (or S3's "null"): the write replaced the previous content for good. */
export function isUnversioned(versionId: string | undefined): boolean {
  return versionId === undefined || versionId === "null";
}
