// The S3 client every ops command uses: the standard AWS settings already
// resolved by cli/options.ts, and bounded waits (the SDK's request timeout
// defaults to none, and without throwOnRequestTimeout it only logs).
import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { S3GetConfig } from "../source/s3-get";

export type OpsConfig = Pick<
  S3GetConfig,
  "region" | "endpoint" | "credentials" | "timeoutMs" | "maxAttempts"
>;

const IP_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Path style where a virtual host cannot work (moto, MinIO), as exec's GET does. */
function pathStyle(endpoint: URL | undefined): boolean {
  return (
    endpoint !== undefined && (IP_HOST.test(endpoint.hostname) || endpoint.hostname === "localhost")
  );
}

/** For ops, --timeout bounds each request (a rekey of many objects has no overall deadline). */
export function createS3Client(config: OpsConfig): S3Client {
  return new S3Client({
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
}
export type { S3Client } from "@aws-sdk/client-s3";
