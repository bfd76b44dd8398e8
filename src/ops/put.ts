// put: upload a whole env file, after checking it the way exec will read it.
// The bytes go up exactly as written (comments and all); only the check
// parses them.
import type { OpsS3 } from "./s3";
import { hasCode, S3KmsEnvError, usageError } from "../errors";
import type { S3Location } from "../s3/location";
import { parseForExec } from "./exec-policy";
import { sealedForm } from "../sealed/format";
import type { SealedRoom } from "../sealed/lazy";
import { bodyToWrite } from "./object";
import type { Condition, Encrypt, Written } from "./s3";

export interface PutOptions {
  /** For messages: the file name, or "stdin". */
  readonly from: string;
  readonly maxBytes: number;
  readonly allowNames: ReadonlySet<string>;
  /** kmsKeyId undefined: the bucket's default key (the caller asked for it). */
  readonly encrypt: Encrypt;
  readonly condition: Condition;
  /** Seals the body when encrypt.sealed is set (put --client-side). */
  readonly sealed: SealedRoom;
}

export interface PutResult extends Written {
  readonly variables: number;
  /** The file's names, in order, for the audit event. */
  readonly names: readonly string[];
  readonly duplicates: readonly string[];
}

export async function putEnv(
  s3: OpsS3,
  loc: S3Location,
  body: Buffer,
  options: PutOptions,
): Promise<PutResult> {
  try {
    if (sealedForm(body) !== undefined) {
      throw usageError(
        `${options.from} is already sealed; put uploads the plaintext (with --client-side to seal it for ${loc.uri})`,
      );
    }
    const parsed = parseForExec(body, options.from, options.maxBytes, options.allowNames);
    const upload = await bodyToWrite(options.sealed, loc, body, options.encrypt);
    const written = await s3
      .putObject(loc, upload, options.encrypt, options.condition)
      .catch((err: unknown) => {
        throw conditionFailed(err, loc, options.condition);
      });
    return {
      ...written,
      variables: parsed.vars.size,
      names: [...parsed.vars.keys()],
      duplicates: parsed.duplicates,
    };
  } finally {
    body.fill(0);
  }
}

function conditionFailed(err: unknown, loc: S3Location, condition: Condition): unknown {
  if (!hasCode(err, "CONFLICT")) return err;
  return new S3KmsEnvError(
    "CONFLICT",
    condition.ifNoneMatch
      ? `${loc.uri} already exists (--if-absent); nothing was written`
      : `${loc.uri} no longer has the ETag given with --if-match; nothing was written. Compare with "s3-kms-env diff" and retry`,
  );
}
