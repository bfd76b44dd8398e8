// AWS SDK clients and fixtures for integration tests, pointed at moto (or a
// fault proxy in front of it) with moto's fake credentials.
import { randomBytes } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  type ServerSideEncryption,
} from "@aws-sdk/client-s3";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { motoUrl } from "./moto";

export const TEST_REGION = "us-east-1";
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export interface ClientOptions {
  /** Default: the shared moto server. */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Default 1: fixtures fail on the first error instead of retrying, so a
   * fault rule with `times` is consumed exactly as the test counts it.
   */
  readonly maxAttempts?: number;
  /** Per-request timeout in ms; the SDK's default is none. */
  readonly requestTimeout?: number;
}

function clientConfig(options: ClientOptions) {
  return {
    endpoint: options.endpoint ?? motoUrl(),
    region: TEST_REGION,
    credentials: options.credentials ?? TEST_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 1,
    // Without throwOnRequestTimeout the SDK only logs a warning when
    // requestTimeout passes, and keeps waiting.
    requestHandler: {
      requestTimeout: options.requestTimeout ?? 10_000,
      connectionTimeout: 2_000,
      throwOnRequestTimeout: true,
    },
  };
}

export function s3Client(options: ClientOptions = {}): S3Client {
  return new S3Client({ ...clientConfig(options), forcePathStyle: true });
}

export function kmsClient(options: ClientOptions = {}): KMSClient {
  return new KMSClient(clientConfig(options));
}

const createdKeyArns: string[] = [];

/**
 * The KMS keys this test file has created. exec refuses to start without a
 * trusted key, so run-cli.ts hands these to every exec as
 * S3_KMS_ENV_KMS_KEY_ID unless the test sets that variable itself: tests
 * that are about something else need not name the key, and tests about
 * trust set (or remove) it explicitly.
 */
export function createdKmsKeyArns(): readonly string[] {
  return createdKeyArns;
}

/** A bucket name no other test (or earlier run against the same server) uses. */
export function uniqueBucket(prefix: string): string {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 40);
  return `${safe}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

export type Sse = "aws:kms" | "AES256" | "none";

export interface PutEnvOptions {
  readonly sse: Sse;
  /** Key id, ARN or alias; only with sse 'aws:kms' (moto accepts keys that do not exist). */
  readonly kmsKeyId?: string;
  /** If-Match / If-None-Match for conditional writes. */
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
}

export interface StoredObject {
  readonly body: string;
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly versionId: string | undefined;
  readonly etag: string | undefined;
}

export interface ObjectVersion {
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
}

/** Fixture helpers bound to one endpoint; call destroy() when done (keep-alive sockets). */
export class TestAws {
  readonly s3: S3Client;
  readonly kms: KMSClient;

  constructor(options: ClientOptions = {}) {
    this.s3 = s3Client(options);
    this.kms = kmsClient(options);
  }

  async createBucket(name: string, options: { versioning?: boolean } = {}): Promise<string> {
    await this.s3.send(new CreateBucketCommand({ Bucket: name }));
    if (options.versioning) {
      await this.s3.send(
        new PutBucketVersioningCommand({
          Bucket: name,
          VersioningConfiguration: { Status: "Enabled" },
        }),
      );
    }
    return name;
  }

  async createKmsKey(
    options: { description?: string } = {},
  ): Promise<{ keyId: string; arn: string }> {
    const { KeyMetadata } = await this.kms.send(
      new CreateKeyCommand({ Description: options.description }),
    );
    if (!KeyMetadata?.KeyId || !KeyMetadata.Arn)
      throw new Error("CreateKey returned no key metadata");
    createdKeyArns.push(KeyMetadata.Arn);
    return { keyId: KeyMetadata.KeyId, arn: KeyMetadata.Arn };
  }

  /** `alias` with or without the 'alias/' prefix; returns the full alias name. */
  async createAlias(alias: string, keyId: string): Promise<string> {
    const AliasName = alias.startsWith("alias/") ? alias : `alias/${alias}`;
    await this.kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: keyId }));
    return AliasName;
  }

  async putEnvObject(
    bucket: string,
    key: string,
    body: string | Uint8Array,
    options: PutEnvOptions,
  ): Promise<{ versionId: string | undefined; etag: string | undefined }> {
    const sse: ServerSideEncryption | undefined = options.sse === "none" ? undefined : options.sse;
    const result = await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ServerSideEncryption: sse,
        SSEKMSKeyId: options.kmsKeyId,
        IfMatch: options.ifMatch,
        IfNoneMatch: options.ifNoneMatch,
      }),
    );
    return { versionId: result.VersionId, etag: result.ETag };
  }

  async getObject(bucket: string, key: string, versionId?: string): Promise<StoredObject> {
    const result = await this.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    );
    return {
      body: (await result.Body?.transformToString()) ?? "",
      serverSideEncryption: result.ServerSideEncryption,
      kmsKeyId: result.SSEKMSKeyId,
      versionId: result.VersionId,
      etag: result.ETag,
    };
  }

  async deleteObject(bucket: string, key: string, versionId?: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  }

  /**
   * Versions and delete markers of exactly `key`, newest first. moto stamps
   * LastModified to the second and lists all versions before all delete
   * markers, so within one second a delete marker sorts after the versions.
   */
  async listVersions(bucket: string, key: string): Promise<ObjectVersion[]> {
    const result = await this.s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }),
    );
    const entries = [
      ...(result.Versions ?? []).map((v) => ({ ...v, deleteMarker: false })),
      ...(result.DeleteMarkers ?? []).map((m) => ({ ...m, deleteMarker: true })),
    ];
    return entries
      .filter((e) => e.Key === key && e.VersionId !== undefined)
      .sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0))
      .map((e) => ({
        versionId: e.VersionId ?? "",
        isLatest: e.IsLatest ?? false,
        deleteMarker: e.deleteMarker,
      }));
  }

  destroy(): void {
    this.s3.destroy();
    this.kms.destroy();
  }
}
