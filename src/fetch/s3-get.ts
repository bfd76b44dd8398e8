// The hot path: one signed GetObject per source, built from the SDK's own
// parts (aws/lean-call.ts: SigV4 signer, Node HTTP handler, standard retry
// strategy; checksum algorithms) instead of the whole S3Client.
import type { Readable } from "node:stream";
import { HttpRequest } from "@smithy/core/transport";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import type { SignatureV4 } from "@smithy/signature-v4";
import type { HttpResponse, RetryErrorType } from "@smithy/types";
import { type ErrorCode, S3KmsEnvError, tooLarge } from "../errors";
import { agentFailure, leanConnection, RetryableFailure, withRetries } from "../aws/lean-call";
import { certificateRefusal } from "../aws/tls";
import { s3EndpointFor } from "../aws/resolve";
import type { AwsSettings } from "../aws/settings";
import { endpointFields } from "../aws/trace";
import { verifyChecksum } from "./checksum";
import { s3ErrorFromResponse } from "./error-response";
import type { S3Location } from "../s3/location";
import { serverText } from "../log";

/** The settings a GET runs with (aws/settings.ts). */
export type S3GetConfig = AwsSettings;

export interface S3Object {
  readonly body: Buffer;
  readonly versionId: string | undefined;
  readonly etag: string | undefined;
  /** "aws:kms", "aws:kms:dsse", "AES256", or undefined for none. */
  readonly serverSideEncryption: string | undefined;
  readonly kmsKeyArn: string | undefined;
  /** The checksum algorithm that was verified, if S3 returned one. */
  readonly checksumVerified: string | undefined;
}

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** The bucket's URL from S3's endpoint rules (src/aws/endpoint.ts), then the key. */
function requestFor(loc: S3Location, bucketUrl: URL): HttpRequest {
  const { hostname } = bucketUrl;
  const basePath = bucketUrl.pathname.replace(/\/$/, "");
  const keyPath = loc.key.split("/").map(encodeURIComponent).join("/");
  const path = `${basePath}/${keyPath}`;
  const port = bucketUrl.port ? Number(bucketUrl.port) : undefined;
  return new HttpRequest({
    method: "GET",
    protocol: bucketUrl.protocol,
    hostname,
    ...(port === undefined ? {} : { port }),
    path,
    query: loc.versionId === undefined ? {} : { versionId: loc.versionId },
    headers: {
      host: bucketUrl.port ? `${hostname}:${bucketUrl.port}` : hostname,
      "x-amz-content-sha256": EMPTY_SHA256,
      // Ask S3 for the object's stored checksum so the body can be checked.
      "x-amz-checksum-mode": "ENABLED",
    },
  });
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return v === undefined || v === "" ? undefined : v;
}

async function readBody(
  stream: Readable,
  expected: number | undefined,
  maxBytes: number,
  loc: S3Location,
  signal: AbortSignal,
): Promise<Buffer> {
  if (expected !== undefined && expected > maxBytes)
    throw tooLarge(`${loc.uri} is larger than`, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  const onAbort = (): void => void stream.destroy(new Error("deadline"));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        stream.destroy();
        throw tooLarge(`${loc.uri} is larger than`, maxBytes);
      }
      chunks.push(buf);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (expected !== undefined && size !== expected) {
    throw new S3KmsEnvError(
      "INTEGRITY",
      `${loc.uri}: received ${size} of ${expected} bytes; the transfer was cut short`,
    );
  }
  return Buffer.concat(chunks, size);
}

/** A failure before S3 answered: worth another attempt, unless a certificate was refused. */
function networkFailure(
  err: unknown,
  loc: S3Location,
  config: S3GetConfig,
  bucketUrl: URL,
): RetryableFailure | S3KmsEnvError {
  const e = err as { name?: string; code?: string };
  const refused = certificateRefusal(e.code, loc.uri, bucketUrl.host);
  if (refused !== undefined) return refused;
  // The handler names resets (ECONNRESET, EPIPE) "TimeoutError" too, keeping their code.
  if (e.name === "TimeoutError" && (e.code === undefined || e.code === "ETIMEDOUT")) {
    return new RetryableFailure(
      "TRANSIENT",
      new S3KmsEnvError("TIMEOUT", `${loc.uri}: S3 did not answer in time`),
    );
  }
  // The host the request went to: with virtual-host style, the bucket's.
  const where = config.endpoint ? bucketUrl.host : `S3 in ${config.region}`;
  const why = serverText(e.code ?? e.name ?? "network error");
  return new RetryableFailure(
    "TRANSIENT",
    new S3KmsEnvError("NETWORK", `${loc.uri}: cannot reach ${where} (${why})`),
  );
}

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/**
 * Which S3 answers are worth another attempt, classified as the SDK does:
 * the standard strategy retries only THROTTLING and TRANSIENT, and backs off
 * longer for THROTTLING. A 503 is S3 asking to slow down, whatever its code.
 */
function retryTypeFor(status: number, code: ErrorCode): RetryErrorType | undefined {
  if (code === "THROTTLED" || status === 503) return "THROTTLING";
  return TRANSIENT_STATUS.has(status) ? "TRANSIENT" : undefined;
}

async function attempt(
  handler: NodeHttpHandler,
  signer: SignatureV4,
  loc: S3Location,
  bucketUrl: URL,
  config: S3GetConfig,
  signal: AbortSignal,
): Promise<S3Object> {
  const signed = await signer.sign(requestFor(loc, bucketUrl));
  let response: HttpResponse;
  try {
    ({ response } = await handler.handle(signed as HttpRequest, { abortSignal: signal }));
  } catch (err) {
    throw agentFailure(err) ?? networkFailure(err, loc, config, bucketUrl);
  }
  const stream = response.body as Readable;
  if (response.statusCode >= 300) {
    const error = await s3ErrorFromResponse(response.statusCode, response.headers, stream, loc);
    const retryAs = retryTypeFor(response.statusCode, error.code);
    throw retryAs === undefined ? error : new RetryableFailure(retryAs, error);
  }
  const lengthHeader = header(response, "content-length");
  let body: Buffer;
  try {
    body = await readBody(
      stream,
      lengthHeader === undefined ? undefined : Number(lengthHeader),
      config.maxBytes,
      loc,
      signal,
    );
  } catch (err) {
    if (err instanceof S3KmsEnvError) throw err;
    throw networkFailure(err, loc, config, bucketUrl);
  }
  return {
    body,
    versionId: header(response, "x-amz-version-id"),
    etag: header(response, "etag"),
    serverSideEncryption: header(response, "x-amz-server-side-encryption"),
    kmsKeyArn: header(response, "x-amz-server-side-encryption-aws-kms-key-id"),
    checksumVerified: await verifyChecksum(body, response.headers, loc),
  };
}

/** Fetch one object: retries with backoff until the start's deadline. */
export async function getObject(loc: S3Location, config: S3GetConfig): Promise<S3Object> {
  const endpoint = s3EndpointFor(config.aws, loc.bucket);
  const bucketUrl = new URL(endpoint.url);
  const target = {
    url: bucketUrl,
    service: "s3",
    signingRegion: endpoint.signingRegion,
    uriEscapePath: false,
  };
  const { handler, signer, proxy } = await leanConnection(target, config);
  const { trace } = config;
  trace?.("s3 request", endpointFields(loc.uri, endpoint, proxy));
  trace?.("credentials", { source: config.credentials.describe?.() });
  try {
    return await withRetries({
      scope: "s3",
      deadline: config.deadline,
      trace,
      traceFields: { uri: loc.uri },
      run: (signal) => attempt(handler, signer, loc, bucketUrl, config, signal),
      late: () => deadlineExceeded(loc, config),
    });
  } finally {
    handler.destroy();
  }
}

function deadlineExceeded(loc: S3Location, config: S3GetConfig): S3KmsEnvError {
  return new S3KmsEnvError(
    "TIMEOUT",
    `${loc.uri}: no answer from S3 within ${config.timeoutMs} ms; check the network path ` +
      `or raise --timeout`,
  );
}
