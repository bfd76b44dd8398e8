// SDK errors from ops requests → our errors. Messages are built from the S3
// error code, the URI and the permission involved; S3's own text is read only
// to tell a KMS refusal from an S3 one, and to name the KMS action it denied.
// Every request runs under a deadline of its own (send). Whatever of the
// server's text is repeated goes through serverText first.
import type { S3Client } from "@aws-sdk/client-s3";
import { type ErrorCode, S3KmsEnvError } from "../errors";
import { classifyS3Error, type S3Action } from "../s3/errors";
import type { OpsS3 } from "./client";
import { beforeDeadline } from "../deadline";
import { serverText } from "../log";

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
}

function classify(e: SdkError, uri: string, action: S3Action): [ErrorCode, string] {
  const status = e.$metadata?.httpStatusCode;
  // The SDK's own names for a request that never got an answer.
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
  if (code === "S3_ERROR" && status === undefined && e.code !== undefined) {
    return ["NETWORK", `${uri}: cannot reach S3 (${serverText(e.code)})`];
  }
  return [code, message];
}

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

/**
 * Runs one SDK request under its deadline (--timeout) and turns its failure
 * into ours. `call` hands the signal to client.send and reads the response
 * body inside, so the deadline covers the whole answer, an error body
 * included: the SDK's own requestTimeout only notices a silent socket, not a
 * slow one.
 */
export async function send<T>(
  s3: OpsS3,
  uri: string,
  action: S3Action,
  call: (client: S3Client, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(Math.ceil(s3.timeoutMs));
  const late = (): S3KmsEnvError => timedOut(uri, action, s3.timeoutMs);
  try {
    return await beforeDeadline(call(s3.client, signal), signal, late);
  } catch (err) {
    throw signal.aborted && !(err instanceof S3KmsEnvError) ? late() : s3Failure(err, uri, action);
  }
}
