// What exec's lean requests share (the S3 GET in fetch/s3-get.ts and the KMS
// Decrypt in aws/kms-decrypt.ts): the SDK's own SigV4 signer, Node HTTP
// handler over the project's agents, and standard retry strategy with its
// backoff scaled to the start's one deadline, instead of a whole SDK client,
// whose load time would be paid on every container start. No signing,
// hashing or retry logic of our own.
import { Sha256Js } from "@smithy/core/checksum";
import { MAXIMUM_RETRY_DELAY, StandardRetryStrategy } from "@smithy/core/retry";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Hash, Hmac } from "node:crypto";
import type { Readable } from "node:stream";
import type {
  Checksum,
  RetryErrorType,
  SourceData,
  StandardRetryBackoffStrategy,
} from "@smithy/types";
import { hasCode, S3KmsEnvError } from "../errors";
import { beforeDeadline, type Deadline } from "../deadline";
import { agentsFor } from "./agents";
import { credentialsWithin, silentLogger, type CredentialSource } from "./config";
import type { ResolvedAws } from "./resolve";
import type { Trace } from "./trace";

/** What a lean request needs of the run's settings. */
export interface LeanAccess {
  readonly aws: ResolvedAws;
  readonly credentials: CredentialSource;
  /** The start's one deadline: credentials, connection, every attempt and backoff. */
  readonly deadline: Deadline;
}

/** Where one service's requests go and how they are signed. */
export interface LeanTarget {
  readonly url: URL;
  /** The SigV4 service name: "s3", "kms". */
  readonly service: string;
  readonly signingRegion: string;
  /** S3 signs the path as sent; every other service escapes it once more. */
  readonly uriEscapePath: boolean;
}

/** A signer and a handler bound to one endpoint; destroy() closes its connections. */
export interface LeanConnection {
  readonly handler: NodeHttpHandler;
  readonly signer: SignatureV4;
  /** "http://proxy:3128" when requests go through a proxy, for --debug. */
  readonly proxy: string | undefined;
}

/** Failures worth another attempt, classified as the SDK's retry strategy expects. */
export class RetryableFailure extends Error {
  constructor(
    readonly errorType: RetryErrorType,
    /** What the request fails with if no later attempt succeeds. */
    readonly final: Error,
  ) {
    super(final.message);
  }
}

/**
 * What the connection agents (aws/agents.ts, proxy.ts) fail with as our own
 * errors: a proxy's refusal or a refused certificate stands, a proxy's
 * gateway error (5xx) is worth another attempt; undefined for anything else.
 */
export function agentFailure(err: unknown): S3KmsEnvError | RetryableFailure | undefined {
  if (hasCode(err, "PROXY_REFUSED", "TLS_CERTIFICATE")) return err;
  return hasCode(err, "PROXY_ERROR") ? new RetryableFailure("TRANSIENT", err) : undefined;
}

/** Per attempt: a TCP connect, and for https its TLS handshake too. */
function connectTimeoutMs(deadline: Deadline): number {
  return Math.min(3000, deadline.timeoutMs);
}

/**
 * The connect timeout, or half of what is left of --timeout if that is more:
 * a handshake that a busy server answers late but does answer is not thrown
 * away early (a fleet starting at once on shared cores), and an attempt whose
 * ClientHello is never answered still leaves the next one half the time.
 */
function handshakeTimeoutMs(deadline: Deadline): number {
  return Math.max(connectTimeoutMs(deadline), Math.floor(deadline.remainingMs() / 2));
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
// retry budget): a fleet starting at once against a throttling service needs
// more than a fixed three.
const UNBOUNDED_ATTEMPTS = Number.MAX_SAFE_INTEGER;

function retryStrategy(deadline: Deadline): StandardRetryStrategy {
  return new StandardRetryStrategy({
    maxAttempts: UNBOUNDED_ATTEMPTS,
    backoff: backoffWithin(deadline),
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

/** Credentials within the deadline, the agents for the target, a handler and a signer. */
export async function leanConnection(
  target: LeanTarget,
  access: LeanAccess,
): Promise<LeanConnection> {
  const { deadline } = access;
  const credentials = await credentialsWithin(access.credentials, deadline);
  const agents = await agentsFor(target.url, access.aws, () => handshakeTimeoutMs(deadline));
  const handler = new NodeHttpHandler({
    connectionTimeout: connectTimeoutMs(deadline),
    requestTimeout: deadline.timeoutMs,
    throwOnRequestTimeout: true,
    // Our own agents: the handler would otherwise import node:http through
    // Node's ESM loader, and load TLS for an http endpoint.
    // (aws/agents.ts: TLS only for https, the proxy agent only when a proxy applies.)
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    logger: silentLogger,
  });
  const signer = new SignatureV4({
    service: target.service,
    region: target.signingRegion,
    credentials,
    // Over http, the pure-JS SHA-256: node:crypto would cost ~4 ms to load for
    // a few HMACs. Over https, TLS has loaded it already.
    sha256: target.url.protocol === "http:" ? Sha256Js : LoadedCryptoSha256,
    uriEscapePath: target.uriEscapePath,
    applyChecksum: false,
  });
  return { handler, signer, proxy: agents.proxy };
}

const MAX_SMALL_BODY = 64 * 1024;

/**
 * An error answer or a small JSON one: at most 64 KiB of it, as text. An
 * error answer cut off is still read (its status code is enough to go on);
 * a `whole` answer cut off by the network fails with the stream's error.
 */
export async function readSmall(stream: Readable, whole = false): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_SMALL_BODY) break;
      chunks.push(buf);
    }
  } catch (err) {
    if (whole) throw err;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One request's attempts: what each does, and how they are named in --debug. */
export interface Attempts<T> {
  /** The retry token's scope: the service. */
  readonly scope: string;
  readonly deadline: Deadline;
  readonly trace?: Trace | undefined;
  /** Fields every trace line of these attempts carries ({ uri } for a GET). */
  readonly traceFields: Readonly<Record<string, string>>;
  /** One attempt: its result, a RetryableFailure, or a failure that stands. */
  run(signal: AbortSignal): Promise<T>;
  /** When the deadline cuts the first attempt short. */
  late(): Error;
}

function traceCode(err: unknown): string {
  if (err instanceof RetryableFailure) return traceCode(err.final);
  if (err instanceof S3KmsEnvError) return err.code;
  return err instanceof Error && /^\w+$/.test(err.name) ? err.name : "error";
}

/** Attempts until one succeeds, one fails for good, or the deadline or retry budget is spent. */
export async function withRetries<T>(attempts: Attempts<T>): Promise<T> {
  const { deadline, trace, traceFields: fields } = attempts;
  const retry = retryStrategy(deadline);
  let token = await retry.acquireInitialRetryToken(attempts.scope);
  // What the last finished attempt failed with: when the deadline cuts the
  // next one short, that is still the cause worth reporting (a 503, say),
  // not the deadline itself.
  let lastCause: Error | undefined;
  let count = 0;
  for (;;) {
    count += 1;
    try {
      const result = await attempts.run(deadline.signal);
      trace?.("attempt", { ...fields, attempt: count, result: "ok" });
      retry.recordSuccess(token);
      return result;
    } catch (err) {
      trace?.("attempt", { ...fields, attempt: count, result: traceCode(err) });
      if (deadline.signal.aborted) throw lastCause ?? attempts.late();
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
      trace?.("retry", { ...fields, attempt: count + 1, delay_ms: Date.now() - backoffStart });
    }
  }
}
