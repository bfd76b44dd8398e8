// rollback: make an older version current again by copying it on top (a new
// version; history is kept), under the current object's KMS key. The old
// version must pass what verify checks, or it could not start the app.
import type { OpsS3 } from "./client";
import { OpsError } from "../errors";
import type { S3Location } from "../source/uri";
import { sameKey } from "../source/verify";
import { copyOnto } from "./copy";
import { ifExists } from "./load";
import { headObject, keptEncryption, unchangedSince, type Encrypt, type Written } from "./object";
import { verifyEnv } from "./verify";

export interface RollbackOptions {
  readonly maxBytes: number;
  readonly allowNames: ReadonlySet<string>;
  /** --kms-key-id: the current object must be under it; the key to use when there is no current object. */
  readonly pin: Encrypt | undefined;
}

export interface RollbackResult extends Written {
  /** False when the version was already the current one: nothing was written. */
  readonly changed: boolean;
  readonly variables: number;
}

function checkPin(loc: S3Location, kmsKeyArn: string | undefined, pin: Encrypt | undefined): void {
  const expected = pin?.kmsKeyId;
  if (expected !== undefined && kmsKeyArn !== undefined && !sameKey(expected, kmsKeyArn)) {
    throw new OpsError(
      "WRONG_KMS_KEY",
      `${loc.uri} is encrypted with KMS key ${kmsKeyArn}, not the required ${expected}; use rekey to change keys`,
    );
  }
}

export async function rollbackEnv(
  s3: OpsS3,
  loc: S3Location,
  versionId: string,
  options: RollbackOptions,
): Promise<RollbackResult> {
  const old = await verifyEnv(
    s3,
    { ...loc, versionId, uri: `${loc.uri}?versionId=${versionId}` },
    { maxBytes: options.maxBytes, kmsKeyArn: undefined, allowNames: options.allowNames },
  );
  const current = await ifExists(headObject(s3, loc));
  if (current === undefined && options.pin === undefined) {
    throw new OpsError(
      "NO_SUCH_KEY",
      `${loc.uri} has no current version (it was deleted), so there is no key to keep; give --kms-key-id to restore it under that key`,
    );
  }
  checkPin(loc, current?.kmsKeyArn, options.pin);
  const encrypt = keptEncryption(loc, current, options.pin);
  if (current?.versionId === versionId) {
    const { etag, kmsKeyArn } = current;
    return { versionId, etag, kmsKeyArn, changed: false, variables: old.variables };
  }
  try {
    const written = await copyOnto(
      s3,
      loc,
      { versionId, etag: undefined },
      encrypt,
      unchangedSince(current),
    );
    return { ...written, changed: true, variables: old.variables };
  } catch (err) {
    if ((err as OpsError).code !== "CONFLICT") throw err;
    throw new OpsError(
      "CONFLICT",
      `${loc.uri} changed while rolling back; nothing was written. Check "s3-kms-env history" and run it again`,
    );
  }
}
