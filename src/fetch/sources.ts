// Fetch, verify and parse every source, concurrently; the result keeps the
// sources' order so later ones override earlier ones. A sealed source (told
// by its message header, never by metadata alone) is opened before parsing;
// file:// sources must be sealed.
import { S3KmsEnvError } from "../errors";
import { parseEnvFile } from "../envfile/parse";
import type { Layer } from "../policy/policy";
import { getObject, type S3GetConfig } from "./s3-get";
import type { S3Location } from "../s3/location";
import { verifyEncryption, type EncryptionPolicy } from "../s3/encryption";
import { objectPlace } from "../sealed/context";
import { sealedForm } from "../sealed/format";
import { readFileSource, type FileLocation } from "./file-source";
import type { SealedRoom } from "../sealed/lazy";

export type SourceLocation = S3Location | FileLocation;

export function isFileSource(loc: SourceLocation): loc is FileLocation {
  return "path" in loc;
}

export interface LoadedSource extends Layer {
  readonly versionId: string | undefined;
  readonly kmsKeyArn: string | undefined;
  readonly serverSideEncryption: string | undefined;
  readonly etag: string | undefined;
  readonly duplicates: readonly string[];
  readonly literal: ReadonlySet<string>;
  /** The KMS key a sealed source was sealed under; undefined for a plain one. */
  readonly sealedWith: string | undefined;
}

export interface SourceOptions {
  readonly s3: S3GetConfig;
  readonly encryption: EncryptionPolicy;
  readonly sealed: SealedRoom;
  /** --require-sealed. */
  readonly requireSealed: boolean;
}

function notSealed(where: string, why: string): S3KmsEnvError {
  return new S3KmsEnvError(
    "NOT_SEALED",
    `${where} is not sealed, and ${why}; seal it with "s3-kms-env seal" (or put --client-side)`,
  );
}

interface Fetched {
  readonly body: Buffer;
  readonly versionId?: string | undefined;
  readonly kmsKeyArn?: string | undefined;
  readonly serverSideEncryption?: string | undefined;
  readonly etag?: string | undefined;
}

async function fetchSource(loc: SourceLocation, options: SourceOptions): Promise<Fetched> {
  if (isFileSource(loc)) return { body: await readFileSource(loc, options.s3.maxBytes) };
  const obj = await getObject(loc, options.s3);
  try {
    verifyEncryption(loc, obj, options.encryption);
  } catch (err) {
    obj.body.fill(0);
    throw err;
  }
  return obj;
}

/** The env file's bytes: the plaintext of a sealed source, the body of a plain one. */
async function plaintextOf(
  loc: SourceLocation,
  body: Buffer,
  options: SourceOptions,
): Promise<{ readonly text: Buffer; readonly sealedWith: string | undefined }> {
  if (sealedForm(body) === undefined) {
    if (isFileSource(loc)) throw notSealed(loc.uri, "a file:// source must be");
    if (options.requireSealed) throw notSealed(loc.uri, "--require-sealed is set");
    return { text: body, sealedWith: undefined };
  }
  const place = isFileSource(loc) ? undefined : objectPlace(loc);
  const trusted = options.encryption.trustedKeys;
  const { plaintext, keyArn } = await options.sealed.open(body, loc.uri, place, trusted);
  return { text: plaintext, sealedWith: keyArn };
}

export async function loadSource(
  loc: SourceLocation,
  options: SourceOptions,
): Promise<LoadedSource> {
  const { body, ...facts } = await fetchSource(loc, options);
  let text: Buffer | undefined;
  try {
    const opened = await plaintextOf(loc, body, options);
    text = opened.text;
    const parsed = parseEnvFile(text, loc.uri, options.s3.maxBytes);
    return {
      source: loc.uri,
      vars: parsed.vars,
      duplicates: parsed.duplicates,
      literal: parsed.literal,
      versionId: facts.versionId,
      kmsKeyArn: facts.kmsKeyArn,
      serverSideEncryption: facts.serverSideEncryption,
      etag: facts.etag,
      sealedWith: opened.sealedWith,
    };
  } finally {
    body.fill(0);
    text?.fill(0);
  }
}

export function loadSources(
  locations: readonly SourceLocation[],
  options: SourceOptions,
): Promise<LoadedSource[]> {
  return Promise.all(locations.map((loc) => loadSource(loc, options)));
}
