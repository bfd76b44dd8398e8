// The read-modify-write behind set and unset (set.ts, unset.ts): one env
// object changed without ever losing a concurrent update. The write is
// conditional on the ETag that was read (If-None-Match: * when creating);
// when S3 answers that the object changed meanwhile, the change is
// re-applied to a fresh read, a bounded number of times. The object keeps
// its KMS key and bucket-key setting, and its text stays as written
// (comments, blank lines, `export `, order: envfile/update.ts).
import type { OpsS3 } from "./s3";
import { setTimeout as sleep } from "node:timers/promises";
import { hasCode, S3KmsEnvError } from "../errors";
import type { ParsedEnv } from "../envfile/parse";
import { updateEnvText } from "../envfile/update";
import { parseForExec } from "./exec-policy";
import { ifExists, loadEnvLayout, type ReadOptions } from "./read";
import { bodyToWrite, keptEncryption, refuseSealingExisting, unchangedSince } from "./object";
import type { Encrypt, Written } from "./s3";
import type { S3Location } from "../s3/location";
import type { NameChanges } from "../audit/event";
import { diffVars } from "./diff";

export interface UpdateOptions extends ReadOptions {
  readonly allowNames: ReadonlySet<string>;
  /** How to encrypt the object if it does not exist yet; undefined: it must exist. */
  readonly create: Encrypt | undefined;
  /** Writes tried before giving up on a busy object. */
  readonly maxAttempts: number;
}

export interface UpdateResult extends Written {
  /** False when the change was already in place: nothing was written. */
  readonly changed: boolean;
  /** The version the change was applied to (undefined when it created the object). */
  readonly previousVersionId: string | undefined;
  /** The names added, changed and removed, for the audit event. */
  readonly names: NameChanges;
  readonly created: boolean;
  readonly attempts: number;
  readonly variables: number;
  /** The key the written object is sealed under; undefined for a plain one. */
  readonly sealedKmsKeyArn: string | undefined;
}

/** Applies the change to the variables in place. */
export type Change = (vars: Map<string, string>) => void;

function sameVars(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([name, value]) => b.get(name) === value);
}

/**
 * What exec --expand does is unchanged for the lines kept, and every value
 * set with a $ is one it leaves alone.
 */
function expandsAsBefore(
  before: ParsedEnv | undefined,
  after: ParsedEnv,
  vars: ReadonlyMap<string, string>,
): boolean {
  return [...vars].every(([name, value]) =>
    before?.vars.get(name) === value
      ? before.literal.has(name) === after.literal.has(name)
      : !value.includes("$") || after.literal.has(name),
  );
}

function gaveUp(loc: S3Location, attempts: number): S3KmsEnvError {
  return new S3KmsEnvError(
    "CONFLICT",
    `${loc.uri} kept changing under other writers; gave up after ${attempts} attempts and wrote nothing. Run the command again`,
  );
}

// Full jitter, so writers that collided do not collide again in step.
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(1000, 50 * 2 ** attempt);
}

export async function updateEnv(
  s3: OpsS3,
  loc: S3Location,
  options: UpdateOptions,
  change: Change,
): Promise<UpdateResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await ifExists(loadEnvLayout(s3, loc, options));
    refuseSealingExisting(loc, current, options.create);
    const vars = new Map(current?.vars);
    change(vars);
    if (current === undefined && vars.size === 0) {
      throw new S3KmsEnvError("NO_SUCH_KEY", `${loc.uri} does not exist`);
    }
    const outcome = {
      created: !current,
      attempts: attempt,
      variables: vars.size,
      previousVersionId: current?.versionId,
      names: diffVars(current?.vars ?? new Map<string, string>(), vars),
    };
    if (current && sameVars(current.vars, vars)) {
      const { versionId, etag, kmsKeyArn } = current;
      const sealedKmsKeyArn = current.sealed?.keyId;
      return { versionId, etag, kmsKeyArn, sealedKmsKeyArn, ...outcome, changed: false };
    }
    const encrypt = keptEncryption(loc, current, options.create);
    const body = Buffer.from(
      updateEnvText(
        current ?? { vars: new Map(), literal: new Set(), duplicates: [], text: "", spans: [] },
        vars,
      ),
    );
    try {
      const reread = parseForExec(body, loc.uri, options.maxBytes, options.allowNames);
      // The serializer's promise, checked on every write: what exec will read is
      // what was set, with or without --expand (a value set with a $ is literal).
      if (!sameVars(reread.vars, vars) || !expandsAsBefore(current, reread, vars)) {
        throw new Error("serialized env file does not read back");
      }
      const upload = await bodyToWrite(options.sealed, loc, body, encrypt);
      const written = await s3.putObject(loc, upload, encrypt, unchangedSince(current));
      return { ...written, ...outcome, sealedKmsKeyArn: encrypt.sealed?.keyId, changed: true };
    } catch (err) {
      if (!hasCode(err, "CONFLICT")) throw err;
      if (attempt >= options.maxAttempts) throw gaveUp(loc, attempt);
    } finally {
      body.fill(0);
    }
    await sleep(backoffMs(attempt));
  }
}
