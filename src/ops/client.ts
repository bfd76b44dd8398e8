// The S3 client every ops command uses: the standard AWS settings already
// resolved by cli/options.ts, and bounded waits. The SDK's requestTimeout is
// only a socket idle timer (a server trickling a byte a second never trips
// it), so each request also gets a deadline of its own: see s3-failure.ts's
// send, which aborts the request and stops waiting once --timeout has passed,
// the response body (or S3's error body) included.
import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { S3GetConfig } from "../fetch/s3-get";

export type OpsConfig = Pick<
  S3GetConfig,
  "region" | "endpoint" | "credentials" | "timeoutMs" | "maxAttempts"
>;

/** The SDK client and the deadline of each request sent with it. */
export interface OpsS3 {
  readonly client: S3Client;
  /** --timeout: how long one request may take, retries and the body read included. */
  readonly timeoutMs: number;
}

const IP_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Path style where a virtual host cannot work (moto, MinIO), as exec's GET does. */
function pathStyle(endpoint: URL | undefined): boolean {
  return (
    endpoint !== undefined && (IP_HOST.test(endpoint.hostname) || endpoint.hostname === "localhost")
  );
}

/** For ops, --timeout bounds each request (a rekey of many objects has no overall deadline). */
export function createS3Client(config: OpsConfig): OpsS3 {
  const client = new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint.href } : {}),
    forcePathStyle: pathStyle(config.endpoint),
    credentials: config.credentials,
    maxAttempts: config.maxAttempts,
    logger: silent,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(3000, config.timeoutMs),
      requestTimeout: config.timeoutMs,
      throwOnRequestTimeout: true,
      logger: silent,
    }),
  });
  return { client, timeoutMs: config.timeoutMs };
}
