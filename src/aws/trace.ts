// What --debug says about the AWS side of a start: the resolved settings, each
// request's endpoint and addressing style, the credential source, and each
// attempt with its outcome and the retry delay. Names and metadata only:
// never a header value (Authorization, X-Amz-Security-Token), a key, a token
// or a body byte. A proxy is shown without its user and password.
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Fields } from "../log";
import type { S3Endpoint } from "./endpoint";
import type { ResolvedAws } from "./resolve";

type Env = Readonly<Record<string, string | undefined>>;

/** A debug log line, or undefined when --debug is off. */
export type Trace = ((event: string, fields: Fields) => void) | undefined;

/** A URL as it may be logged: any user:password@ cut out. */
function bare(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

export function settingsFields(s: ResolvedAws): Fields {
  return {
    profile: `${s.profile}${s.profileFound ? "" : " (no such profile)"}`,
    region: s.region && `${s.region.value} (${s.region.source})`,
    fips: `${s.useFips.value} (${s.useFips.source})`,
    dualstack: `${s.useDualstack.value} (${s.useDualstack.source})`,
    addressing: `${s.addressingStyle.value} (${s.addressingStyle.source})`,
    s3_endpoint: s.endpoints.s3 && `${bare(s.endpoints.s3.value)} (${s.endpoints.s3.source})`,
    kms_endpoint: s.endpoints.kms && `${bare(s.endpoints.kms.value)} (${s.endpoints.kms.source})`,
    sts_endpoint: s.endpoints.sts && `${bare(s.endpoints.sts.value)} (${s.endpoints.sts.source})`,
    ca_bundle: s.caBundle && `${s.caBundle.value} (${s.caBundle.source})`,
    proxy_variables: Object.keys(s.proxyEnv),
  };
}

/** exec's KMS Decrypt (kms-decrypt.ts): where it goes, signed for which region, through which proxy. */
export function kmsRequestFields(
  url: URL,
  signingRegion: string,
  proxy: string | undefined,
): Fields {
  return { url: bare(url.href), signing_region: signingRegion, proxy: proxy ?? "none" };
}

export function endpointFields(
  uri: string,
  endpoint: S3Endpoint,
  proxy: string | undefined,
): Fields {
  return {
    uri,
    url: bare(endpoint.url),
    addressing: endpoint.pathStyle ? "path" : "virtual",
    signing_region: endpoint.signingRegion,
    proxy: proxy ?? "none",
  };
}

/** Which provider gave the credentials: the SDK's $source feature names, else what the environment held. */
export function credentialSourceName(creds: AwsCredentialIdentity, env: Env): string {
  const features = Object.keys((creds as { $source?: Record<string, unknown> }).$source ?? {});
  if (features.length > 0) return `default chain (${features.join(", ")})`;
  if (env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) return "environment (AWS_ACCESS_KEY_ID)";
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)";
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
    return "container endpoint";
  }
  return env.AWS_PROFILE ? `profile ${env.AWS_PROFILE}` : "default chain";
}
