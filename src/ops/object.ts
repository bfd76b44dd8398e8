// Reading and writing one env object with the SDK: the raw bytes and the
// encryption facts ops commands need to keep (key, bucket key, ETag for
// conditional writes).
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type ServerSideEncryption,
} from "@aws-sdk/client-s3";
import { S3KmsEnvError, tooLarge } from "../errors";
import type { S3Location } from "../s3/location";
import { isKmsMode, type Encryption } from "../s3/encryption";
import type { OpsS3 } from "./client";
import { send } from "./s3-failure";

export interface ObjectFacts extends Encryption {
  readonly etag: string | undefined;
  readonly versionId: string | undefined;
  readonly bucketKeyEnabled: boolean | undefined;
}

export interface StoredObject extends ObjectFacts {
  /** The plaintext; callers zero it when done. */
  readonly body: Buffer;
}

function facts(out: {
  ETag?: string | undefined;
  VersionId?: string | undefined;
  ServerSideEncryption?: string | undefined;
  SSEKMSKeyId?: string | undefined;
  BucketKeyEnabled?: boolean | undefined;
}): ObjectFacts {
  return {
    etag: out.ETag,
    versionId: out.VersionId,
    serverSideEncryption: out.ServerSideEncryption,
    kmsKeyArn: out.SSEKMSKeyId,
    bucketKeyEnabled: out.BucketKeyEnabled,
  };
}

/** GetObject, with S3's stored checksum checked by the SDK and a size limit. */
export async function readObject(
  s3: OpsS3,
  loc: S3Location,
  maxBytes: number,
): Promise<StoredObject> {
  // One deadline for the headers and the body: a body that trickles in is cut off too.
  const { out, bytes } = await send(s3, loc.uri, "GetObject", async (client, abortSignal) => {
    const out = await client.send(
      new GetObjectCommand({
        Bucket: loc.bucket,
        Key: loc.key,
        VersionId: loc.versionId,
        ChecksumMode: "ENABLED",
      }),
      { abortSignal },
    );
    if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
      await out.Body?.transformToWebStream().cancel();
      throw tooLarge(`${loc.uri} is larger than`, maxBytes);
    }
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    return { out, bytes };
  });
  if (bytes.length > maxBytes) throw tooLarge(`${loc.uri} is larger than`, maxBytes);
  return { ...facts(out), body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) };
}

/** HeadObject: the current encryption and ETag without decrypting anything. */
export async function headObject(s3: OpsS3, loc: S3Location): Promise<ObjectFacts> {
  const out = await send(s3, loc.uri, "HeadObject", (client, abortSignal) =>
    client.send(
      new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key, VersionId: loc.versionId }),
      { abortSignal },
    ),
  );
  return facts(out);
}

export interface Encrypt {
  /** "aws:kms" or "aws:kms:dsse". */
  readonly mode: ServerSideEncryption;
  /** undefined: the bucket's default key. */
  readonly kmsKeyId: string | undefined;
  readonly bucketKeyEnabled: boolean;
}

/** If-Match on the ETag that was read, or If-None-Match: * when creating; none: overwrite. */
export interface Condition {
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: "*" | undefined;
}

/** The condition that a write replaces exactly what was read (or creates what was absent). */
export function unchangedSince(read: ObjectFacts | undefined): Condition {
  return read?.etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: read.etag };
}

export interface Written {
  readonly versionId: string | undefined;
  readonly etag: string | undefined;
  readonly kmsKeyArn: string | undefined;
}

/** The request fields every write (put or copy) sets: encryption and condition. */
export function writeParams(encrypt: Encrypt, condition: Condition) {
  return {
    ServerSideEncryption: encrypt.mode,
    SSEKMSKeyId: encrypt.kmsKeyId,
    BucketKeyEnabled: encrypt.bucketKeyEnabled,
    IfMatch: condition.ifMatch,
    IfNoneMatch: condition.ifNoneMatch,
  };
}

/** What S3 answers to a write, with the key asked for when S3 does not echo it. */
export function written(
  out: { VersionId?: string | undefined; SSEKMSKeyId?: string | undefined },
  etag: string | undefined,
  encrypt: Encrypt,
): Written {
  return { versionId: out.VersionId, etag, kmsKeyArn: out.SSEKMSKeyId ?? encrypt.kmsKeyId };
}

export async function writeObject(
  s3: OpsS3,
  loc: S3Location,
  body: Uint8Array,
  encrypt: Encrypt,
  condition: Condition,
): Promise<Written> {
  const out = await send(s3, loc.uri, "PutObject", (client, abortSignal) =>
    client.send(
      new PutObjectCommand({
        Bucket: loc.bucket,
        Key: loc.key,
        Body: body,
        ContentType: "text/plain; charset=utf-8",
        ...writeParams(encrypt, condition),
      }),
      { abortSignal },
    ),
  );
  return written(out, out.ETag, encrypt);
}

export function missingObject(loc: S3Location): S3KmsEnvError {
  return new S3KmsEnvError(
    "NO_SUCH_KEY",
    `${loc.uri} does not exist; give --kms-key-id (or --bucket-default-key) to create it`,
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
  current: ObjectFacts | undefined,
  fallback: Encrypt | undefined,
): Encrypt {
  if (current === undefined) {
    if (fallback) return fallback;
    throw missingObject(loc);
  }
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
  return { mode, kmsKeyId: current.kmsKeyArn, bucketKeyEnabled: current.bucketKeyEnabled === true };
}

/** No version id (or S3's "null"): the write replaced the previous content for good. */
export function isUnversioned(versionId: string | undefined): boolean {
  return versionId === undefined || versionId === "null";
}
