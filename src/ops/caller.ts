// Who makes an ops write, for its audit event: one STS GetCallerIdentity
// with the ops S3 client's region, endpoint (AWS_ENDPOINT_URL_STS or
// AWS_ENDPOINT_URL), credentials, TLS and proxy. Never on exec's path. It
// needs no permission (STS answers it for any valid credentials); when it
// fails anyway, the event says "unknown" and why, and the write it follows
// stands: an audit trail must not block the change it records.
import type { Caller } from "../audit/event";
import { beforeDeadline } from "../deadline";
import { serverText } from "../log";
import { sdkClientConfig, type OpsConfig } from "./s3-client";

async function ask(config: OpsConfig, signal: AbortSignal): Promise<Caller> {
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const client = new STSClient(await sdkClientConfig(config, "sts"));
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    if (out.Arn === undefined || out.Account === undefined || out.UserId === undefined) {
      return { arn: "unknown", reason: "STS answered without an identity" };
    }
    return { arn: out.Arn, account: out.Account, userId: out.UserId };
  } finally {
    client.destroy();
  }
}

export async function callerIdentity(config: OpsConfig): Promise<Caller> {
  // The whole call within --timeout, credentials included: the SDK's abort
  // signal reaches the request only, and after a failed write the
  // credentials may be what hangs.
  const signal = AbortSignal.timeout(Math.ceil(config.timeoutMs));
  try {
    return await beforeDeadline(ask(config, signal), signal, () => signal.reason as Error);
  } catch (err) {
    // The error's name only (AccessDenied, TimeoutError, …): its message could quote anything.
    const name = (err as { name?: unknown }).name;
    return { arn: "unknown", reason: typeof name === "string" ? serverText(name) : "error" };
  }
}
