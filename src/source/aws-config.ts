// Region, endpoint and credentials from the standard AWS settings, resolved
// the way the SDK does, with the slow parts (shared config files, the full
// credential chain) loaded only when the environment does not already answer.
import type { AwsCredentialIdentity } from "@smithy/types";
import { SourceError } from "../errors";

type Env = Readonly<Record<string, string | undefined>>;

export type CredentialSource = () => Promise<AwsCredentialIdentity>;

export async function resolveRegion(env: Env): Promise<string> {
  const fromEnv = env.AWS_REGION;
  if (fromEnv) return fromEnv;
  // Profiles (AWS_PROFILE, ~/.aws/config) are read only when AWS_REGION is unset.
  const { loadConfig, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS } =
    await import("@smithy/core/config");
  try {
    return await loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS)();
  } catch {
    throw new SourceError(
      "NO_REGION",
      "no AWS region configured: set AWS_REGION or a region in the AWS profile",
    );
  }
}

/** A custom endpoint (moto, MinIO, a VPC endpoint), or undefined for AWS's own. */
export function resolveEndpoint(env: Env, service: "s3" | "kms"): URL | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true") return undefined;
  const raw = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL;
  if (!raw) return undefined;
  try {
    return new URL(raw);
  } catch {
    throw new SourceError("USAGE", `AWS_ENDPOINT_URL is not a valid URL`);
  }
}

function credentialsMissing(): SourceError {
  return new SourceError(
    "NO_CREDENTIALS",
    "no AWS credentials found (environment, profile, web identity, ECS or EC2 role): " +
      "give the container a role or set AWS_PROFILE",
  );
}

/**
 * Static keys from the environment are read directly, exactly the variables
 * the SDK's fromEnv reads (its package drags the endpoint rule engine into
 * the hot path); everything else goes through the SDK's default chain, loaded
 * on demand so a start with env credentials never pays for it.
 */
export function credentialSource(env: Env): CredentialSource {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => (pending ??= load(env));
}

async function load(env: Env): Promise<AwsCredentialIdentity> {
  try {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
    if (accessKeyId && secretAccessKey && !env.AWS_PROFILE) {
      const expiry = env.AWS_CREDENTIAL_EXPIRATION;
      return {
        accessKeyId,
        secretAccessKey,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        ...(expiry ? { expiration: new Date(expiry) } : {}),
      };
    }
    const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
    return await defaultProvider()();
  } catch {
    throw credentialsMissing();
  }
}
