// What the ops commands ask of S3, and nothing more: seven requests, each under
// its own deadline (--timeout) and with its failure already one of our errors
// (s3/errors.ts). The SDK implementation is s3-client.ts; unit tests use an
// in-memory one (test/support/fake-s3.ts).
import type { Encryption } from "../s3/encryption";
import type { S3Location } from "../s3/location";
import type { SealAs } from "../sealed/lazy";

export type { SealAs };

export interface ObjectFacts extends Encryption {
  readonly etag: string | undefined;
  readonly versionId: string | undefined;
  readonly bucketKeyEnabled: boolean | undefined;
}

export interface StoredObject extends ObjectFacts {
  /** The plaintext; callers zero it when done. */
  readonly body: Buffer;
}

export interface Encrypt {
  readonly mode: "aws:kms" | "aws:kms:dsse";
  /** undefined: the bucket's default key. */
  readonly kmsKeyId: string | undefined;
  readonly bucketKeyEnabled: boolean;
  /**
   * How the body is sealed (put --client-side, or a rewrite of a sealed
   * object); undefined: a plain body. A put marks a sealed object in its
   * metadata (SEALED_METADATA), for people and tools that list objects;
   * readers go by the body's header, never by the mark alone.
   */
  readonly sealed?: SealAs | undefined;
}

/** The user metadata (x-amz-meta-…) of a sealed object. */
export const SEALED_METADATA: Readonly<Record<string, string>> = {
  "s3-kms-env-sealed": "aws-encryption-sdk",
};

/** If-Match on the ETag that was read, or If-None-Match: * when creating; none: overwrite. */
export interface Condition {
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: "*" | undefined;
}

export interface Written {
  readonly versionId: string | undefined;
  readonly etag: string | undefined;
  readonly kmsKeyArn: string | undefined;
}

export interface CopyFrom {
  readonly versionId: string | undefined;
  /** The source's ETag as read: the copy fails if the source changed since. */
  readonly etag: string | undefined;
}

/** One version or delete marker of a key, as ListObjectVersions reports it. */
export interface ListedVersion {
  readonly versionId: string;
  readonly lastModified: string | undefined;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
  readonly size: number | undefined;
  readonly owner: string | undefined;
}

export type Versioning = "Enabled" | "Suspended" | "Off";

export interface OpsS3 {
  /** GetObject with S3's stored checksum checked; TOO_LARGE over maxBytes (body included). */
  getObject(loc: S3Location, maxBytes: number): Promise<StoredObject>;
  /** HeadObject: the encryption and ETag without decrypting anything. */
  headObject(loc: S3Location): Promise<ObjectFacts>;
  /** PutObject, encrypted and conditional as asked; CONFLICT when the condition fails. */
  putObject(
    loc: S3Location,
    body: Uint8Array,
    encrypt: Encrypt,
    condition: Condition,
  ): Promise<Written>;
  /** Server-side copy onto loc itself (metadata kept); CONFLICT when either condition fails. */
  copyObject(
    loc: S3Location,
    from: CopyFrom,
    encrypt: Encrypt,
    condition: Condition,
  ): Promise<Written>;
  /** Every version and delete marker of exactly loc.key, in S3's order. */
  listVersions(loc: S3Location): Promise<ListedVersion[]>;
  /** The keys under the prefix loc.key, folder markers ("…/") left out. */
  listKeys(loc: S3Location): Promise<string[]>;
  /** GetBucketVersioning of loc.bucket: "Off" when versioning was never enabled. */
  bucketVersioning(loc: S3Location): Promise<Versioning>;
  /** Closes the connections. */
  destroy(): void;
}
