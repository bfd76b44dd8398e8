// rekey: re-encrypt one object, or every object under a prefix, under a new
// KMS key by copying each onto itself (contents and metadata unchanged, a new
// version). Objects already under the new key are skipped, so a re-run after
// a partial failure only does what is left. Objects without SSE-KMS, and
// objects under a key the user does not trust, are refused: re-encrypting one
// would make an unchecked, possibly planted file look trusted.
import type { OpsS3 } from "./s3";
import { type ErrorCode, S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import { isKmsMode, isTrustedKey, sameKey } from "../s3/encryption";
import type { Encrypt } from "./s3";
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
  /** Why an object was refused or failed. */
  readonly code?: ErrorCode;
  readonly reason?: string;
}

export interface RekeyOptions {
  readonly encrypt: Encrypt & { readonly kmsKeyId: string };
  /** The keys objects may be moved from (the new key needs no mention). */
  readonly trustedKeys: readonly string[];
  readonly dryRun: boolean;
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

async function rekeyOne(s3: OpsS3, loc: S3Location, options: RekeyOptions): Promise<RekeyOutcome> {
  try {
    const facts = await s3.headObject(loc);
    const from = facts.kmsKeyArn;
    const mode = facts.serverSideEncryption;
    if (!isKmsMode(mode)) {
      return {
        uri: loc.uri,
        action: "refused",
        from,
        code: "NOT_KMS_ENCRYPTED",
        reason: `${loc.uri} is not SSE-KMS encrypted (it has ${mode ?? "no server-side encryption"}), so it was not re-keyed; check its content and upload it with put`,
      };
    }
    if (from !== undefined && sameKey(options.encrypt.kmsKeyId, from)) {
      return { uri: loc.uri, action: "skipped", from };
    }
    if (!isTrustedKey(options.trustedKeys, from)) return untrusted(loc, from);
    if (options.dryRun) return { uri: loc.uri, action: "would-rekey", from };
    // The copy is conditional twice: on the source (CopySourceIfMatch) and the
    // destination (IfMatch) still being what HEAD saw. dsse stays dsse.
    const written = await s3.copyObject(
      loc,
      { versionId: undefined, etag: facts.etag },
      { ...options.encrypt, mode },
      { ifMatch: facts.etag },
    );
    return { uri: loc.uri, action: "rekeyed", from, versionId: written.versionId };
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
