// The hot path: one signed GetObject per source, built from the SDK's own
// parts (SigV4 signer, Node HTTP handler, standard retry strategy, checksum
// algorithms) instead of the whole S3Client, whose load time would be paid on
// every container start. No signing, hashing or retry logic of our own.
import type { Readable } from "node:stream";
import { HttpRequest } from "@smithy/core/transport";
import { Sha256Js } from "@smithy/core/checksum";
import { MAXIMUM_RETRY_DELAY, StandardRetryStrategy } from "@smithy/core/retry";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Hash, Hmac } from "node:crypto";
import type {
  Checksum,
  HttpResponse,
  RetryErrorType,
  SourceData,
  StandardRetryBackoffStrategy,
} from "@smithy/types";
import { type ErrorCode, hasCode, S3KmsEnvError, tooLarge } from "../errors";
import { credentialsWithin, silentLogger } from "../aws/config";
import { agentsFor, type Agents } from "../aws/agents";
import { certificateRefusal } from "../aws/tls";
import { s3EndpointFor } from "../aws/resolve";
import type { AwsSettings } from "../aws/settings";
import { endpointFields } from "../aws/trace";
import { verifyChecksum } from "./checksum";
import { s3ErrorFromResponse } from "./error-response";
import type { S3Location } from "../s3/location";
import { beforeDeadline, type Deadline } from "../deadline";
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

/** Failures worth another attempt, classified as the SDK's retry strategy expects. */
class RetryableFailure extends Error {
  constructor(
    readonly errorType: RetryErrorType,
    readonly final: S3KmsEnvError,
  ) {
    super(final.message);
  }
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
    if (hasCode(err, "PROXY_REFUSED")) throw err;
    if (hasCode(err, "PROXY_ERROR")) throw new RetryableFailure("TRANSIENT", err);
    throw networkFailure(err, loc, config, bucketUrl);
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

/** Per attempt: a TCP connect, and for https its TLS handshake too. */
function connectTimeoutMs(config: S3GetConfig): number {
  return Math.min(3000, config.timeoutMs);
}

/**
 * The connect timeout, or half of what is left of --timeout if that is more:
 * a handshake that a busy server answers late but does answer is not thrown
 * away early (a fleet starting at once on shared cores), and an attempt whose
 * ClientHello is never answered still leaves the next one half the time.
 */
function handshakeTimeoutMs(config: S3GetConfig): number {
  return Math.max(connectTimeoutMs(config), Math.floor(config.deadline.remainingMs() / 2));
}

// Time kept for the attempt a backoff leads to: sleeping until the very
// end of the budget would only buy a request that cannot finish.
function attemptReserveMs(deadline: Deadline): number {
  return Math.min(200, deadline.timeoutMs / 10);
}

// The backoff's ceiling leaves room for at least this many attempts within
// --timeout: with the SDK's 20 s ceiling, a 10 s budget held about five, and
// a fleet against an S3 throttling 30% of requests lost about one start in
// a thousand (see bench/soak.mjs).
const ATTEMPTS_IN_BUDGET = 8;

/**
 * The SDK's full-jitter exponential backoff (a random delay up to
 * base × 2^retry), its ceiling scaled to the deadline, never sleeping past
 * it. The strategy sets the base: longer for throttling (SlowDown, 503 and
 * the like) than for other transient errors.
 */
function backoffWithin(deadline: Deadline): StandardRetryBackoffStrategy {
  const ceiling = Math.min(MAXIMUM_RETRY_DELAY, deadline.timeoutMs / ATTEMPTS_IN_BUDGET);
  let base = 0;
  return {
    setDelayBase: (delayBase) => void (base = delayBase),
    computeNextBackoffDelay: (retry) => {
      const delay = Math.floor(Math.random() * Math.min(base * 2 ** retry, ceiling));
      return Math.min(delay, Math.max(0, deadline.remainingMs() - attemptReserveMs(deadline)));
    },
  };
}

// The number of attempts is left to the deadline (and to the strategy's
// retry budget): a fleet starting at once against a throttling S3 needs
// more than a fixed three.
const UNBOUNDED_ATTEMPTS = Number.MAX_SAFE_INTEGER;

function retryStrategy(deadline: Deadline): StandardRetryStrategy {
  return new StandardRetryStrategy({
    maxAttempts: UNBOUNDED_ATTEMPTS,
    backoff: backoffWithin(deadline),
  });
}

function createHandler(config: S3GetConfig, agents: Agents): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: connectTimeoutMs(config),
    requestTimeout: config.timeoutMs,
    throwOnRequestTimeout: true,
    // Our own agents: the handler would otherwise import node:http through
    // Node's ESM loader, and load TLS for an http endpoint.
    // (aws/agents.ts: TLS only for https, the proxy agent only when a proxy applies.)
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    logger: silentLogger,
  });
}

/**
 * node:crypto's SHA-256 and HMAC behind the SDK's Checksum interface, for an
 * https endpoint only: TLS has loaded node:crypto by the time a request is
 * signed, so the native hash costs nothing to load there, while the pure-JS
 * one runs cold in the interpreter. An http start keeps Sha256Js and never
 * loads node:crypto.
 */
export class LoadedCryptoSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    const out = this.hash.digest();
    return Promise.resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  }

  reset(): void {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    const crypto = process.getBuiltinModule("node:crypto");
    const secret = this.secret;
    if (secret === undefined) return crypto.createHash("sha256");
    const key =
      typeof secret === "string"
        ? secret
        : ArrayBuffer.isView(secret)
          ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
          : new Uint8Array(secret);
    return crypto.createHmac("sha256", key);
  }
}

/** Fetch one object: retries with backoff until the start's deadline. */
export async function getObject(loc: S3Location, config: S3GetConfig): Promise<S3Object> {
  const { deadline } = config;
  const endpoint = s3EndpointFor(config.aws, loc.bucket);
  const bucketUrl = new URL(endpoint.url);
  const credentials = await credentialsWithin(config.credentials, deadline);
  const agents = await agentsFor(bucketUrl, config.aws, () => handshakeTimeoutMs(config));
  const { trace } = config;
  trace?.("s3 request", endpointFields(loc.uri, endpoint, agents.proxy));
  trace?.("credentials", { source: config.credentials.describe?.() });
  const handler = createHandler(config, agents);
  const signer = new SignatureV4({
    service: "s3",
    region: endpoint.signingRegion,
    credentials,
    // Over http, the pure-JS SHA-256: node:crypto would cost ~4 ms to load for
    // a few HMACs. Over https, TLS has loaded it already.
    sha256: bucketUrl.protocol === "http:" ? Sha256Js : LoadedCryptoSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const retry = retryStrategy(deadline);
  let token = await retry.acquireInitialRetryToken("s3");
  // What the last finished attempt failed with: when the deadline cuts the
  // next one short, that is still the cause worth reporting (a 503, say),
  // not the deadline itself.
  let lastCause: S3KmsEnvError | undefined;
  let attempts = 0;
  try {
    for (;;) {
      attempts += 1;
      try {
        const result = await attempt(handler, signer, loc, bucketUrl, config, deadline.signal);
        trace?.("attempt", { uri: loc.uri, attempt: attempts, result: "ok" });
        retry.recordSuccess(token);
        return result;
      } catch (err) {
        trace?.("attempt", {
          uri: loc.uri,
          attempt: attempts,
          result: err instanceof RetryableFailure ? err.final.code : traceCode(err),
        });
        if (deadline.signal.aborted) throw lastCause ?? deadlineExceeded(loc, config);
        if (!(err instanceof RetryableFailure)) throw err;
        lastCause = err.final;
        if (deadline.remainingMs() < attemptReserveMs(deadline)) throw err.final;
        // The strategy sleeps its backoff inside this call, or refuses (its
        // retry budget is spent): either way the failure that caused it stands.
        const backoffStart = Date.now();
        try {
          token = await beforeDeadline(
            retry.refreshRetryTokenForRetry(token, { errorType: err.errorType }),
            deadline.signal,
            () => err.final,
          );
        } catch {
          throw err.final;
        }
        trace?.("retry", {
          uri: loc.uri,
          attempt: attempts + 1,
          delay_ms: Date.now() - backoffStart,
        });
      }
    }
  } finally {
    handler.destroy();
  }
}

function traceCode(err: unknown): string {
  return err instanceof S3KmsEnvError ? err.code : "error";
}

function deadlineExceeded(loc: S3Location, config: S3GetConfig): S3KmsEnvError {
  return new S3KmsEnvError(
    "TIMEOUT",
    `${loc.uri}: no answer from S3 within ${config.timeoutMs} ms; check the network path ` +
      `or raise --timeout`,
  );
}
