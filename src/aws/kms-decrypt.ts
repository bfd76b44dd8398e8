// exec's KMS Decrypt (one per sealed source), made like its S3 GET from the
// SDK's own parts (aws/lean-call.ts) instead of the SDK's KMS client, which
// costs ~40 ms CPU to load and construct: one signed AWS JSON 1.1 POST to
// the endpoint KMS's rules pick (aws/endpoint.ts), retried on throttling and
// 5xx within the start's deadline. A failure keeps the name KMS gave it
// (AccessDeniedException, …), which sealed/kms.ts classifies as it does the
// SDK client's errors.
import type { Readable } from "node:stream";
import { HttpRequest } from "@smithy/core/transport";
import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";
import type { HttpResponse, RetryErrorType } from "@smithy/types";
import type { DecryptCommandInput, DecryptCommandOutput } from "@aws-sdk/client-kms";
import type { S3KmsEnvError } from "../errors";
import { resolveKmsEndpoint } from "./endpoint";
import type { KmsAccess } from "./kms-key";
import { certificateRefusal } from "./tls";
import { kmsRequestFields } from "./trace";
import {
  agentFailure,
  leanConnection,
  type LeanConnection,
  readSmall,
  RetryableFailure,
  withRetries,
} from "./lean-call";

/** What the Encryption SDK's keyring reads of a Decrypt answer. */
export type DecryptOutput = Pick<
  DecryptCommandOutput,
  "KeyId" | "Plaintext" | "EncryptionAlgorithm"
>;

export interface LeanKms {
  decrypt(input: DecryptCommandInput): Promise<DecryptOutput>;
  /** Closes the connections, if any was made. */
  destroy(): void;
}

/** A KMS error answer or a network failure, named as the SDK's client names it. */
export class KmsCallError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number };

  constructor(
    name: string,
    message: string,
    status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = name;
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
  }
}

/** Where KMS requests go with these settings: KMS's own endpoint rules. */
export function kmsEndpointFor(access: KmsAccess): URL {
  return resolveKmsEndpoint({
    Region: access.region,
    UseFIPS: access.aws.useFips.value,
    UseDualStack: access.aws.useDualstack.value,
    Endpoint: access.endpoint?.href,
  });
}

function decryptRequest(url: URL, input: DecryptCommandInput): HttpRequest {
  const blob = input.CiphertextBlob;
  const body = JSON.stringify({
    CiphertextBlob:
      blob && Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString("base64"),
    EncryptionContext: input.EncryptionContext,
    GrantTokens: input.GrantTokens,
    KeyId: input.KeyId,
    EncryptionAlgorithm: input.EncryptionAlgorithm,
  });
  const port = url.port ? Number(url.port) : undefined;
  return new HttpRequest({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(port === undefined ? {} : { port }),
    path: url.pathname,
    headers: {
      host: url.host,
      "content-type": "application/x-amz-json-1.1",
      "content-length": String(Buffer.byteLength(body)),
      "x-amz-target": "TrentService.Decrypt",
    },
    body,
  });
}

/** The error's type as AWS JSON 1.1 carries it: the header, else the body's __type, namespace dropped. */
function errorName(headers: HttpResponse["headers"], text: string): string | undefined {
  const strip = (type: string): string => (type.split(":")[0] ?? "").replace(/^.*#/, "");
  const header = headers["x-amzn-errortype"];
  if (header) return strip(header);
  try {
    const body = JSON.parse(text) as { __type?: unknown; code?: unknown };
    const type = typeof body.__type === "string" ? body.__type : body.code;
    return typeof type === "string" ? strip(type) : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK's classification of a failed call (its retry middleware's getRetryErrorType). */
function retryTypeOf({ name, message, $metadata }: KmsCallError): RetryErrorType {
  const err = { name, message, $metadata };
  if (isThrottlingError(err)) return "THROTTLING";
  if (isTransientError(err)) return "TRANSIENT";
  return isServerError(err) ? "SERVER_ERROR" : "CLIENT_ERROR";
}

/** A failure before KMS answered: worth another attempt, unless a certificate was refused. */
function networkFailure(err: unknown, url: URL): RetryableFailure | S3KmsEnvError {
  const e = err as { name?: string; code?: string };
  const refused = certificateRefusal(e.code, "KMS Decrypt", url.host);
  if (refused !== undefined) return refused;
  // The handler names resets (ECONNRESET, EPIPE) "TimeoutError" too, keeping their code.
  const timedOut = e.name === "TimeoutError" && (e.code === undefined || e.code === "ETIMEDOUT");
  const name = timedOut ? "TimeoutError" : (e.code ?? e.name ?? "NetworkError");
  return new RetryableFailure(
    "TRANSIENT",
    new KmsCallError(name, "KMS could not be reached", undefined, e.code),
  );
}

/** Unparseable or incomplete: the keyring refuses what has no KeyId or Plaintext. */
function decryptOutput(text: string): DecryptOutput {
  let body: { KeyId?: unknown; Plaintext?: unknown; EncryptionAlgorithm?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new KmsCallError("MalformedResponse", "KMS's answer is not JSON");
  }
  const plaintext =
    typeof body.Plaintext === "string" ? Buffer.from(body.Plaintext, "base64") : undefined;
  return {
    KeyId: typeof body.KeyId === "string" ? body.KeyId : undefined,
    Plaintext:
      plaintext && new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength),
    EncryptionAlgorithm:
      typeof body.EncryptionAlgorithm === "string"
        ? (body.EncryptionAlgorithm as DecryptOutput["EncryptionAlgorithm"])
        : undefined,
  };
}

async function attempt(
  connection: LeanConnection,
  url: URL,
  input: DecryptCommandInput,
  signal: AbortSignal,
): Promise<DecryptOutput> {
  const { handler, signer } = connection;
  const signed = await signer.sign(decryptRequest(url, input));
  let response: HttpResponse;
  let text: string;
  try {
    ({ response } = await handler.handle(signed as HttpRequest, { abortSignal: signal }));
    text = await readSmall(response.body as Readable, response.statusCode < 300);
  } catch (err) {
    throw agentFailure(err) ?? networkFailure(err, url);
  }
  if (response.statusCode < 300) return decryptOutput(text);
  const name = errorName(response.headers, text) ?? `HTTP ${response.statusCode}`;
  const error = new KmsCallError(name, `KMS refused the Decrypt (${name})`, response.statusCode);
  throw new RetryableFailure(retryTypeOf(error), error);
}

/** KMS Decrypt for a run: one connection, made on the first call. */
export function leanKms(access: KmsAccess): LeanKms {
  // Made on the first Decrypt: settings KMS's rules refuse (FIPS with a
  // custom endpoint) fail that call, not a seal that never decrypts.
  let connection: Promise<{ url: URL; open: LeanConnection }> | undefined;
  const connect = async (): Promise<{ url: URL; open: LeanConnection }> => {
    const url = kmsEndpointFor(access);
    const target = { url, service: "kms", signingRegion: access.region, uriEscapePath: true };
    const open = await leanConnection(target, access);
    access.trace?.("kms request", kmsRequestFields(url, access.region, open.proxy));
    return { url, open };
  };
  return {
    async decrypt(input) {
      const { url, open } = await (connection ??= connect());
      return withRetries({
        scope: "kms",
        deadline: access.deadline,
        trace: access.trace,
        traceFields: { call: "kms:Decrypt" },
        run: (signal) => attempt(open, url, input, signal),
        late: () => new KmsCallError("TimeoutError", "KMS did not answer in time"),
      });
    },
    destroy() {
      void connection?.then(
        ({ open }) => open.handler.destroy(),
        () => undefined,
      );
    },
  };
}
