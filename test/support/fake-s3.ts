// An in-memory S3 for unit tests of the ops commands' logic (src/ops/s3.ts):
// versioned objects with ETags, SSE-KMS facts and the conditions S3 checks
// (If-Match, If-None-Match, x-amz-copy-source-if-match). Failures are ours
// already, as the SDK implementation hands them over.
import { S3KmsEnvError } from "../../src/errors";
import type { S3Location } from "../../src/s3/location";
import type * as Ops from "../../src/ops/s3";

export const KEY_A = "arn:aws:kms:us-east-1:111122223333:key/aaaa";
export const KEY_B = "arn:aws:kms:us-east-1:111122223333:key/bbbb";

interface Version {
  readonly versionId: string;
  readonly body: Buffer | undefined; // undefined: a delete marker
  readonly etag: string;
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyArn: string | undefined;
  readonly bucketKeyEnabled: boolean | undefined;
}

export type Request = keyof Omit<Ops.OpsS3, "destroy">;

export class FakeS3 implements Ops.OpsS3 {
  private readonly objects = new Map<string, Version[]>();
  private counter = 0;
  /** Every request, in order, with its key. */
  readonly requests: { readonly request: Request; readonly key: string }[] = [];
  /** Runs before a request is answered: a test's way to race a writer or fail a request. */
  before: ((request: Request, loc: S3Location) => void) | undefined;

  /** Seeds a version (as another writer would), returning its id; key null: SSE-S3. */
  seed(key: string, text: string, kmsKeyArn: string | null = KEY_A): string {
    return this.store(key, Buffer.from(text), {
      serverSideEncryption: kmsKeyArn === null ? "AES256" : "aws:kms",
      kmsKeyArn: kmsKeyArn ?? undefined,
      bucketKeyEnabled: true,
    }).versionId;
  }

  /** The current text of a key, or undefined. */
  text(key: string): string | undefined {
    return this.current(key)?.body?.toString("utf8");
  }

  current(key: string): Version | undefined {
    const v = this.objects.get(key)?.at(-1);
    return v?.body === undefined ? undefined : v;
  }

  versions(key: string): readonly Version[] {
    return this.objects.get(key) ?? [];
  }

  deleteObject(key: string): void {
    this.objects.set(key, [
      ...this.versions(key),
      {
        versionId: `v${++this.counter}`,
        body: undefined,
        etag: "",
        serverSideEncryption: undefined,
        kmsKeyArn: undefined,
        bucketKeyEnabled: undefined,
      },
    ]);
  }

  private store(
    key: string,
    body: Buffer,
    enc: Pick<Version, "serverSideEncryption" | "kmsKeyArn" | "bucketKeyEnabled">,
  ): Version {
    const n = ++this.counter;
    const version: Version = { versionId: `v${n}`, body, etag: `"etag-${n}"`, ...enc };
    this.objects.set(key, [...this.versions(key), version]);
    return version;
  }

  /** Records the request and lets the test act first, as a real request takes a turn. */
  private async track(request: Request, loc: S3Location): Promise<void> {
    this.requests.push({ request, key: loc.key });
    await Promise.resolve();
    this.before?.(request, loc);
  }

  private find(loc: S3Location): Version {
    const all = this.versions(loc.key);
    const v =
      loc.versionId === undefined ? all.at(-1) : all.find((x) => x.versionId === loc.versionId);
    if (loc.versionId !== undefined && v === undefined) {
      throw new S3KmsEnvError("NO_SUCH_VERSION", `${loc.uri}: no such object version`);
    }
    if (v?.body === undefined) throw new S3KmsEnvError("NO_SUCH_KEY", `${loc.uri} does not exist`);
    return v;
  }

  private facts(v: Version): Ops.ObjectFacts {
    return {
      etag: v.etag,
      versionId: v.versionId,
      serverSideEncryption: v.serverSideEncryption,
      kmsKeyArn: v.kmsKeyArn,
      bucketKeyEnabled: v.bucketKeyEnabled,
    };
  }

  private check(loc: S3Location, condition: Ops.Condition): void {
    const now = this.current(loc.key);
    const ok =
      (condition.ifMatch === undefined || now?.etag === condition.ifMatch) &&
      (condition.ifNoneMatch === undefined || now === undefined);
    if (!ok) {
      throw new S3KmsEnvError(
        "CONFLICT",
        `${loc.uri} was changed by someone else meanwhile; nothing was written`,
      );
    }
  }

  private written(v: Version): Ops.Written {
    return { versionId: v.versionId, etag: v.etag, kmsKeyArn: v.kmsKeyArn };
  }

  private encryption(encrypt: Ops.Encrypt) {
    return {
      serverSideEncryption: encrypt.mode,
      kmsKeyArn: encrypt.kmsKeyId ?? KEY_A,
      bucketKeyEnabled: encrypt.bucketKeyEnabled,
    };
  }

  async getObject(loc: S3Location, maxBytes: number): Promise<Ops.StoredObject> {
    await this.track("getObject", loc);
    const v = this.find(loc);
    if (v.body!.length > maxBytes) {
      throw new S3KmsEnvError("TOO_LARGE", `${loc.uri} is larger than the limit`);
    }
    return { ...this.facts(v), body: Buffer.from(v.body!) };
  }

  async headObject(loc: S3Location): Promise<Ops.ObjectFacts> {
    await this.track("headObject", loc);
    return this.facts(this.find(loc));
  }

  async putObject(
    loc: S3Location,
    body: Uint8Array,
    encrypt: Ops.Encrypt,
    condition: Ops.Condition,
  ): Promise<Ops.Written> {
    await this.track("putObject", loc);
    this.check(loc, condition);
    return this.written(this.store(loc.key, Buffer.from(body), this.encryption(encrypt)));
  }

  async copyObject(
    loc: S3Location,
    from: Ops.CopyFrom,
    encrypt: Ops.Encrypt,
    condition: Ops.Condition,
  ): Promise<Ops.Written> {
    await this.track("copyObject", loc);
    const source = this.find({ ...loc, versionId: from.versionId });
    if (from.etag !== undefined && source.etag !== from.etag) {
      throw new S3KmsEnvError("CONFLICT", `${loc.uri}: the source changed`);
    }
    this.check(loc, condition);
    return this.written(this.store(loc.key, source.body!, this.encryption(encrypt)));
  }

  async listVersions(loc: S3Location): Promise<Ops.ListedVersion[]> {
    await this.track("listVersions", loc);
    const all = this.versions(loc.key);
    return all.map((v, i) => ({
      versionId: v.versionId,
      lastModified: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      isLatest: i === all.length - 1,
      deleteMarker: v.body === undefined,
      size: v.body?.length,
      owner: "me",
    }));
  }

  async listKeys(loc: S3Location): Promise<string[]> {
    await this.track("listKeys", loc);
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(loc.key) && this.current(k) !== undefined)
      .sort();
  }

  /** What bucketVersioning answers. */
  versioning: Ops.Versioning = "Enabled";

  async bucketVersioning(loc: S3Location): Promise<Ops.Versioning> {
    await this.track("bucketVersioning", loc);
    return this.versioning;
  }

  destroy(): void {}
}

export function location(key: string, versionId?: string): S3Location {
  const uri = `s3://bucket/${key}${versionId === undefined ? "" : `?versionId=${versionId}`}`;
  return { bucket: "bucket", key, versionId, uri };
}
