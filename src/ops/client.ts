// The S3 client every ops command uses: the standard AWS settings already
// resolved by cli/options.ts, and bounded waits. The SDK's requestTimeout is
// only a socket idle timer (a server trickling a byte a second never trips
// it), so each request also gets a deadline of its own: see s3-failure.ts's
// send, which aborts the request and stops waiting once --timeout has passed,
// the response body (or S3's error body) included.
import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { S3GetConfig } from "../source/s3-get";
import { agentsFor } from "../aws/agents";
import { awsServiceUrl } from "../aws/endpoint";
import { forcePathStyle, requireRegion } from "../aws/settings";

export type OpsConfig = Pick<S3GetConfig, "aws" | "credentials" | "timeoutMs" | "maxAttempts">;

/** The SDK client and the deadline of each request sent with it. */
export interface OpsS3 {
  readonly client: S3Client;
  /** --timeout: how long one request may take, retries and the body read included. */
  readonly timeoutMs: number;
}

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** For ops, --timeout bounds each request (a rekey of many objects has no overall deadline). */
export async function createS3Client(config: OpsConfig): Promise<OpsS3> {
  const { aws } = config;
  const region = requireRegion(aws);
  const endpoint = aws.endpoints.s3?.value;
  // The agents' TLS and proxy depend only on the scheme and host; any bucket's URL tells them.
  const target = endpoint ? new URL(endpoint) : awsServiceUrl("s3", region);
  const client = new S3Client({
    region,
    ...(endpoint ? { endpoint } : {}),
    // What exec's request uses, from the same settings: the SDK's rules do the rest.
    forcePathStyle: forcePathStyle(aws),
    useFipsEndpoint: aws.useFips.value,
    useDualstackEndpoint: aws.useDualstack.value,
    credentials: config.credentials,
    maxAttempts: config.maxAttempts,
    logger: silent,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(3000, config.timeoutMs),
      requestTimeout: config.timeoutMs,
      throwOnRequestTimeout: true,
      ...(await agentsFor(target, aws)),
      logger: silent,
    }),
  });
  return { client, timeoutMs: config.timeoutMs };
}
