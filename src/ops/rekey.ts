// rekey: re-encrypt one object, or every object under a prefix, under a new
// KMS key by copying each onto itself (contents and metadata unchanged, a new
// version). A sealed object is re-wrapped instead: opened under a trusted
// key, sealed again under the new one and written in place (If-Match), so it
// stays sealed. Objects already under the new key (both layers) are skipped,
// so a re-run after a partial failure only does what is left. Objects without
// SSE-KMS, and objects under a key the user does not trust, are refused:
// re-encrypting one would make an unchecked, possibly planted file look trusted.
import type { OpsS3 } from "./s3";
import { type ErrorCode, S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import { isKmsMode, isTrustedKey, sameKey } from "../s3/encryption";
import type { Encrypt, StoredObject } from "./s3";
import { objectPlace } from "../sealed/context";
import { sealedForm } from "../sealed/format";
import type { SealedRoom } from "../sealed/lazy";
import { mapLimit } from "./pool";
import { isPrefix, objectsUnder, withPrefixHint } from "./prefix";

export type RekeyAction = "rekeyed" | "would-rekey" | "skipped" | "refused" | "failed";

export interface RekeyOutcome {
  readonly uri: string;
  readonly action: RekeyAction;
  /** The key the object was under before (none for a refused plaintext object). */
  readonly from: string | undefined;
  /** The new version, for rekeyed objects. */
  readonly versionId?: string | undefined;
  /** A rekeyed sealed object: the key that opened it (it was sealed under), now replaced by the new one. */
  readonly sealedFrom?: string | undefined;
  /** Why an object was refused or failed. */
  readonly code?: ErrorCode;
  readonly reason?: string;
}

export interface RekeyOptions {
  readonly encrypt: Encrypt & { readonly kmsKeyId: string };
  /** The keys objects may be moved from (the new key needs no mention). */
  readonly trustedKeys: readonly string[];
  readonly dryRun: boolean;
  /** Largest object read, in bytes. */
  readonly maxBytes: number;
  /** Re-wraps sealed objects. */
  readonly sealed: SealedRoom;
}

export { isPrefix };

function untrusted(loc: S3Location, from: string | undefined): RekeyOutcome {
  return {
    uri: loc.uri,
    action: "refused",
    from,
    code: "WRONG_KMS_KEY",
    reason: `${loc.uri} is under KMS key ${from ?? "(not reported)"}, which is not trusted, so it was not re-keyed; check its content, then name that key with --trusted-kms-key-id (or put the file again)`,
  };
}

/**
 * Opens the sealed body under a trusted key (or the new one) and seals it
 * under the new key; `from` is the key that opened it.
 */
async function resealed(
  loc: S3Location,
  body: Buffer,
  options: RekeyOptions,
): Promise<{ body: Buffer; from: string }> {
  const newKey = options.encrypt.kmsKeyId;
  const trusted = [...options.trustedKeys, newKey];
  const { plaintext, context, keyArn } = await options.sealed.open(
    body,
    loc.uri,
    objectPlace(loc),
    trusted,
  );
  try {
    const sealed = await options.sealed.seal(
      plaintext,
      { keyId: newKey, context },
      objectPlace(loc),
    );
    return { body: sealed, from: keyArn };
  } finally {
    plaintext.fill(0);
  }
}

async function rekeyObject(
  s3: OpsS3,
  loc: S3Location,
  object: StoredObject,
  options: RekeyOptions,
): Promise<RekeyOutcome> {
  const from = object.kmsKeyArn;
  const mode = object.serverSideEncryption;
  if (!isKmsMode(mode)) {
    return {
      uri: loc.uri,
      action: "refused",
      from,
      code: "NOT_KMS_ENCRYPTED",
      reason: `${loc.uri} is not SSE-KMS encrypted (it has ${mode ?? "no server-side encryption"}), so it was not re-keyed; check its content and upload it with put`,
    };
  }
  const newKey = options.encrypt.kmsKeyId;
  const sealed = sealedForm(object.body) !== undefined;
  const sealedUnder = sealed ? await options.sealed.sealedUnder(object.body, loc.uri) : [];
  const underNewKey = from !== undefined && sameKey(newKey, from);
  if (underNewKey && sealedUnder.every((k) => sameKey(newKey, k))) {
    return { uri: loc.uri, action: "skipped", from };
  }
  if (!underNewKey && !isTrustedKey(options.trustedKeys, from)) return untrusted(loc, from);
  if (options.dryRun) return { uri: loc.uri, action: "would-rekey", from };
  // The write is conditional on the object still being what was read
  // (the copy twice: CopySourceIfMatch and IfMatch). dsse stays dsse.
  if (!sealed) {
    const written = await s3.copyObject(
      loc,
      { versionId: undefined, etag: object.etag },
      { ...options.encrypt, mode },
      { ifMatch: object.etag },
    );
    return { uri: loc.uri, action: "rekeyed", from, versionId: written.versionId };
  }
  const rewrapped = await resealed(loc, object.body, options);
  const written = await s3.putObject(
    loc,
    rewrapped.body,
    { ...options.encrypt, mode, sealed: { keyId: newKey, context: {} } },
    { ifMatch: object.etag },
  );
  const { versionId } = written;
  return { uri: loc.uri, action: "rekeyed", from, versionId, sealedFrom: rewrapped.from };
}

async function rekeyOne(s3: OpsS3, loc: S3Location, options: RekeyOptions): Promise<RekeyOutcome> {
  try {
    // The body too, not only HEAD: whether it is sealed is read from its header.
    const object = await s3.getObject(loc, options.maxBytes);
    try {
      return await rekeyObject(s3, loc, object, options);
    } finally {
      object.body.fill(0);
    }
  } catch (err) {
    if (!(err instanceof S3KmsEnvError)) throw err;
    return { uri: loc.uri, action: "failed", from: undefined, code: err.code, reason: err.message };
  }
}

export async function rekey(
  s3: OpsS3,
  target: S3Location,
  options: RekeyOptions,
): Promise<RekeyOutcome[]> {
  if (!isPrefix(target)) {
    const outcome = await rekeyOne(s3, target, options);
    if (outcome.code !== "NO_SUCH_KEY") return [outcome];
    const err = new S3KmsEnvError(outcome.code, outcome.reason ?? target.uri);
    const hinted = await withPrefixHint(s3, target, err);
    return [{ ...outcome, reason: hinted.message }];
  }
  const objects = await objectsUnder(s3, target);
  return mapLimit(objects, 4, (loc) => rekeyOne(s3, loc, options));
}
