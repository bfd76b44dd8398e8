// The ops commands' S3 (ops/s3.ts) made of the SDK's S3Client, with the
// standard AWS settings already resolved (aws/settings.ts) and bounded waits.
// The SDK's requestTimeout is only a socket idle timer (a server trickling a
// byte a second never trips it), so each request also gets a deadline of its
// own (send): it aborts the request and stops waiting once --timeout has
// passed, the response body (or S3's error body) included. Failures are
// classified by the one table in s3/errors.ts.
import {
  CopyObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { agentsFor } from "../aws/agents";
import { certificateRefusal } from "../aws/tls";
import { silentLogger } from "../aws/config";
import { awsServiceUrl } from "../aws/endpoint";
import { forcePathStyle, requireRegion } from "../aws/resolve";
import type { AwsSettings } from "../aws/settings";
import { beforeDeadline } from "../deadline";
import { type ErrorCode, S3KmsEnvError, tooLarge } from "../errors";
import { serverText } from "../log";
import { classifyS3Error, type S3Action } from "../s3/errors";
import type { S3Location } from "../s3/location";
import type {
  Condition,
  CopyFrom,
  Encrypt,
  ListedVersion,
  ObjectFacts,
  OpsS3,
  Written,
} from "./s3";
import { SEALED_METADATA } from "./s3";

export type OpsConfig = Pick<AwsSettings, "aws" | "credentials" | "timeoutMs" | "maxAttempts">;

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
}

function classify(e: SdkError, uri: string, action: S3Action): [ErrorCode, string] {
  const status = e.$metadata?.httpStatusCode;
  // The SDK's own name for a request that got no answer in time.
  if (e.name === "TimeoutError") {
    return [
      "TIMEOUT",
      `${uri}: S3 did not answer in time; check the network path or raise --timeout`,
    ];
  }
  const bucket = /^s3:\/\/([^/?]*)/.exec(uri)?.[1] ?? "";
  const versionId = /[?&]versionId=([^&]*)/.exec(uri)?.[1];
  const { code, message } = classifyS3Error(
    {
      code: e.name,
      status,
      message: e.message ?? "",
      bucketRegion: e.$response?.headers?.["x-amz-bucket-region"],
    },
    { uri, bucket, versionId, action, caller: "ops" },
  );
  // No answer at all: the request never reached S3.
  const refused =
    status === undefined ? certificateRefusal(e.code, uri, "the S3 endpoint") : undefined;
  if (refused !== undefined) return [refused.code, refused.message];
  if (code === "S3_ERROR" && status === undefined && e.code !== undefined) {
    return ["NETWORK", `${uri}: cannot reach S3 (${serverText(e.code)})`];
  }
  return [code, message];
}

/** An SDK error of an ops request as one of ours. */
export function s3Failure(err: unknown, uri: string, action: S3Action): S3KmsEnvError {
  if (err instanceof S3KmsEnvError) return err;
  const [code, message] = classify(err as SdkError, uri, action);
  return new S3KmsEnvError(code, message);
}

function timedOut(uri: string, action: S3Action, timeoutMs: number): S3KmsEnvError {
  return new S3KmsEnvError(
    "TIMEOUT",
    `${uri}: S3 did not finish ${action} within ${timeoutMs} ms; check the network path or raise --timeout`,
  );
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

/** The request fields every write (put or copy) sets: encryption and condition. */
function writeParams(encrypt: Encrypt, condition: Condition) {
  return {
    ServerSideEncryption: encrypt.mode,
    SSEKMSKeyId: encrypt.kmsKeyId,
    BucketKeyEnabled: encrypt.bucketKeyEnabled,
    IfMatch: condition.ifMatch,
    IfNoneMatch: condition.ifNoneMatch,
  };
}

/** What S3 answers to a write, with the key asked for when S3 does not echo it. */
function written(
  out: { VersionId?: string | undefined; SSEKMSKeyId?: string | undefined },
  etag: string | undefined,
  encrypt: Encrypt,
): Written {
  return { versionId: out.VersionId, etag, kmsKeyArn: out.SSEKMSKeyId ?? encrypt.kmsKeyId };
}

/** x-amz-copy-source: bucket/key, URL-encoded, with the version when given. */
function copySource(loc: S3Location, versionId: string | undefined): string {
  const key = loc.key.split("/").map(encodeURIComponent).join("/");
  const version = versionId === undefined ? "" : `?versionId=${encodeURIComponent(versionId)}`;
  return `${encodeURIComponent(loc.bucket)}/${key}${version}`;
}

interface Listed {
  readonly Key?: string | undefined;
  readonly VersionId?: string | undefined;
  readonly IsLatest?: boolean | undefined;
  readonly LastModified?: Date | undefined;
  readonly Size?: number | undefined;
  readonly Owner?:
    { readonly DisplayName?: string | undefined; readonly ID?: string | undefined } | undefined;
}

function listed(v: Listed, deleteMarker: boolean): ListedVersion {
  return {
    versionId: v.VersionId ?? "null",
    lastModified: v.LastModified?.toISOString(),
    isLatest: v.IsLatest === true,
    deleteMarker,
    size: v.Size,
    owner: v.Owner?.DisplayName ?? v.Owner?.ID,
  };
}

/**
 * What an ops client of `service` (S3, or STS for the caller's identity)
 * shares: region, endpoint, FIPS, dual-stack, credentials, attempts, and a
 * handler with the agents' TLS and proxy and bounded waits.
 */
export async function sdkClientConfig(config: OpsConfig, service: "s3" | "sts") {
  const { aws } = config;
  const region = requireRegion(aws);
  const endpoint = aws.endpoints[service]?.value;
  // The agents' TLS and proxy depend only on the scheme and host; any bucket's URL tells them.
  const target = endpoint ? new URL(endpoint) : awsServiceUrl(service, region);
  return {
    region,
    ...(endpoint ? { endpoint } : {}),
    useFipsEndpoint: aws.useFips.value,
    useDualstackEndpoint: aws.useDualstack.value,
    credentials: config.credentials,
    maxAttempts: config.maxAttempts,
    logger: silentLogger,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(3000, config.timeoutMs),
      requestTimeout: config.timeoutMs,
      throwOnRequestTimeout: true,
      ...(await agentsFor(target, aws)),
      logger: silentLogger,
    }),
  };
}

/**
 * The SDK's client, from the same settings as exec's GET (the oracle test,
 * test/unit/aws/resolve.test.ts, checks both land on the same URL).
 */
export async function sdkS3Client(config: OpsConfig): Promise<S3Client> {
  return new S3Client({
    ...(await sdkClientConfig(config, "s3")),
    // What exec's request uses, from the same settings: the SDK's rules do the rest.
    forcePathStyle: forcePathStyle(config.aws),
  });
}

/** For ops, --timeout bounds each request (a rekey of many objects has no overall deadline). */
export async function createS3Client(config: OpsConfig): Promise<OpsS3> {
  const client = await sdkS3Client(config);
  const { timeoutMs } = config;

  /**
   * Runs one SDK request under its deadline and turns its failure into ours.
   * `call` hands the signal to client.send and reads the response body
   * inside, so the deadline covers the whole answer, an error body included.
   */
  async function send<T>(
    uri: string,
    action: S3Action,
    call: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const signal = AbortSignal.timeout(Math.ceil(timeoutMs));
    const late = (): S3KmsEnvError => timedOut(uri, action, timeoutMs);
    try {
      return await beforeDeadline(call(signal), signal, late);
    } catch (err) {
      throw signal.aborted && !(err instanceof S3KmsEnvError)
        ? late()
        : s3Failure(err, uri, action);
    }
  }

  return {
    async getObject(loc, maxBytes) {
      // One deadline for the headers and the body: a body that trickles in is cut off too.
      const { out, bytes } = await send(loc.uri, "GetObject", async (abortSignal) => {
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
    },

    async headObject(loc) {
      const out = await send(loc.uri, "HeadObject", (abortSignal) =>
        client.send(
          new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key, VersionId: loc.versionId }),
          { abortSignal },
        ),
      );
      return facts(out);
    },

    async putObject(loc, body, encrypt, condition) {
      const out = await send(loc.uri, "PutObject", (abortSignal) =>
        client.send(
          new PutObjectCommand({
            Bucket: loc.bucket,
            Key: loc.key,
            Body: body,
            ContentType: "text/plain; charset=utf-8",
            Metadata: encrypt.sealed === undefined ? undefined : { ...SEALED_METADATA },
            ...writeParams(encrypt, condition),
          }),
          { abortSignal },
        ),
      );
      return written(out, out.ETag, encrypt);
    },

    async copyObject(loc, from: CopyFrom, encrypt, condition) {
      const out = await send(loc.uri, "CopyObject", (abortSignal) =>
        client.send(
          new CopyObjectCommand({
            Bucket: loc.bucket,
            Key: loc.key,
            CopySource: copySource(loc, from.versionId),
            CopySourceIfMatch: from.etag,
            MetadataDirective: "COPY",
            ...writeParams(encrypt, condition),
          }),
          { abortSignal },
        ),
      );
      return written(out, out.CopyObjectResult?.ETag, encrypt);
    },

    async listVersions(loc) {
      const entries: ListedVersion[] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (;;) {
        const page = await send(loc.uri, "ListObjectVersions", (abortSignal) =>
          client.send(
            new ListObjectVersionsCommand({
              Bucket: loc.bucket,
              Prefix: loc.key,
              KeyMarker: keyMarker,
              VersionIdMarker: versionIdMarker,
            }),
            { abortSignal },
          ),
        );
        // The prefix listing also holds longer keys.
        const mine = (v: Listed): boolean => v.Key === loc.key;
        entries.push(...(page.Versions ?? []).filter(mine).map((v) => listed(v, false)));
        entries.push(...(page.DeleteMarkers ?? []).filter(mine).map((v) => listed(v, true)));
        // The key sorts before every longer key under it: once the listing has
        // moved past it, there is nothing more of it to read.
        if (!page.IsTruncated || page.NextKeyMarker !== loc.key) return entries;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      }
    },

    async listKeys(loc) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await send(loc.uri, "ListObjectsV2", (abortSignal) =>
          client.send(
            new ListObjectsV2Command({
              Bucket: loc.bucket,
              Prefix: loc.key,
              ContinuationToken: token,
            }),
            { abortSignal },
          ),
        );
        // Keys ending in "/" are the console's folder markers, not env files.
        for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith("/")) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    },

    async bucketVersioning(loc) {
      const out = await send(`s3://${loc.bucket}`, "GetBucketVersioning", (abortSignal) =>
        client.send(new GetBucketVersioningCommand({ Bucket: loc.bucket }), { abortSignal }),
      );
      return out.Status === "Enabled" || out.Status === "Suspended" ? out.Status : "Off";
    },

    destroy: () => client.destroy(),
  };
}
