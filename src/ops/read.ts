// Read one env object the way exec does before trusting it: SSE-KMS checked
// (and the key, when pinned), opened when sealed, then parsed strictly. The
// plaintext bytes are zeroed once parsed.
import type { OpsS3 } from "./s3";
import { hasCode } from "../errors";
import { parseEnvFile, parseEnvLayout, type EnvLayout, type ParsedEnv } from "../envfile/parse";
import type { S3Location } from "../s3/location";
import { verifyEncryption, type EncryptionPolicy } from "../s3/encryption";
import type { ObjectFacts, SealAs, StoredObject } from "./s3";
import { objectPlace } from "../sealed/context";
import { sealedForm } from "../sealed/format";
import type { SealedRoom } from "../sealed/lazy";

export interface ReadOptions {
  readonly maxBytes: number;
  readonly encryption: EncryptionPolicy;
  /** Opens a sealed object, under the trusted keys only. */
  readonly sealed: SealedRoom;
}

export interface OpenedFacts extends ObjectFacts {
  /** How a sealed object is sealed (its key and context); undefined for a plain one. */
  readonly sealed: SealAs | undefined;
}

export interface LoadedEnv extends OpenedFacts, ParsedEnv {
  /** The stored text, only when asked for (get --reveal, edit). */
  readonly text: string | undefined;
}

/** The object's plaintext, only if its encryption is trusted; the caller zeroes it. */
export async function readVerified(
  s3: OpsS3,
  loc: S3Location,
  options: ReadOptions,
): Promise<StoredObject> {
  const object = await s3.getObject(loc, options.maxBytes);
  try {
    verifyEncryption(loc, object, options.encryption);
  } catch (err) {
    object.body.fill(0);
    throw err;
  }
  return object;
}

/**
 * The object's env file, as readVerified reads it, opened when it is sealed
 * (bound to this object's place, under a trusted key); the caller zeroes it.
 */
export async function readPlaintext(
  s3: OpsS3,
  loc: S3Location,
  options: ReadOptions,
): Promise<OpenedFacts & { readonly body: Buffer }> {
  const object = await readVerified(s3, loc, options);
  if (sealedForm(object.body) === undefined) return { ...object, sealed: undefined };
  try {
    const trusted = options.encryption.trustedKeys;
    const opened = await options.sealed.open(object.body, loc.uri, objectPlace(loc), trusted);
    const sealed = { keyId: opened.keyArn, context: opened.context };
    return { ...object, body: opened.plaintext, sealed };
  } finally {
    object.body.fill(0);
  }
}

export async function loadEnv(
  s3: OpsS3,
  loc: S3Location,
  options: ReadOptions,
  keepText = false,
): Promise<LoadedEnv> {
  const { body, ...facts } = await readPlaintext(s3, loc, options);
  try {
    const parsed = parseEnvFile(body, loc.uri, options.maxBytes);
    const text = keepText ? body.toString("utf8").replace(/^\uFEFF/, "") : undefined;
    return { ...facts, ...parsed, text };
  } finally {
    body.fill(0);
  }
}

/** The parse with the text and where each entry sits (set and unset keep the rest of the text). */
export async function loadEnvLayout(
  s3: OpsS3,
  loc: S3Location,
  options: ReadOptions,
): Promise<OpenedFacts & EnvLayout> {
  const { body, ...facts } = await readPlaintext(s3, loc, options);
  try {
    return { ...facts, ...parseEnvLayout(body, loc.uri, options.maxBytes) };
  } finally {
    body.fill(0);
  }
}

/** The read's result, or undefined when the object does not exist (set and edit then create it). */
export async function ifExists<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (hasCode(err, "NO_SUCH_KEY")) return undefined;
    throw err;
  }
}
