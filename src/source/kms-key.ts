// KMS lookups: a --kms-key-id alias resolved to the key ARN that S3 reports
// (key ids and key ARNs need no call; only aliases load the KMS client), and
// whether a key is AWS-managed (verify).
import type { CredentialSource } from "./aws-config";
import { SourceError } from "../errors";

export interface KmsAccess {
  readonly region: string;
  readonly endpoint: URL | undefined;
  readonly credentials: CredentialSource;
  /** Deadline for the lookup, retries included. */
  readonly timeoutMs: number;
}

export interface KeyFacts {
  readonly arn: string;
  /** "AWS" for an AWS-managed key such as aws/s3, "CUSTOMER" for one of yours. */
  readonly keyManager: string | undefined;
}

export function isAlias(spec: string): boolean {
  return spec.startsWith("alias/") || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(spec);
}

/** Why a lookup is made, for its error messages. */
export interface LookupPurpose {
  /** "resolve", "check", … */
  readonly verb: string;
  /** What to do when kms:DescribeKey is denied. */
  readonly deniedHint: string;
}

export const RESOLVE: LookupPurpose = {
  verb: "resolve",
  deniedHint: "pass the key ARN instead of an alias",
};

function lookupError(err: unknown, spec: string, why: LookupPurpose, kms: KmsAccess): SourceError {
  const what = why.verb;
  const name = (err as { name?: string }).name;
  if (name === "NotFoundException") {
    return new SourceError("KMS_ERROR", `KMS key ${spec} does not exist in ${kms.region}`);
  }
  if (name === "AccessDeniedException") {
    return new SourceError(
      "KMS_ACCESS_DENIED",
      `cannot ${what} ${spec}: kms:DescribeKey denied; ${why.deniedHint}`,
    );
  }
  if (name === "AbortError" || name === "TimeoutError") {
    return new SourceError(
      "TIMEOUT",
      `cannot ${what} ${spec}: KMS did not answer within ${kms.timeoutMs} ms`,
    );
  }
  return new SourceError("KMS_ERROR", `cannot ${what} ${spec} (${name ?? "KMS error"})`);
}

export async function describeKey(
  spec: string,
  kms: KmsAccess,
  why: LookupPurpose,
): Promise<KeyFacts> {
  const { KMSClient, DescribeKeyCommand } = await import("@aws-sdk/client-kms");
  const client = new KMSClient({
    region: kms.region,
    ...(kms.endpoint ? { endpoint: kms.endpoint.href } : {}),
    credentials: kms.credentials,
    maxAttempts: 3,
  });
  try {
    const out = await client.send(new DescribeKeyCommand({ KeyId: spec }), {
      abortSignal: AbortSignal.timeout(kms.timeoutMs),
    });
    const arn = out.KeyMetadata?.Arn;
    if (!arn) throw new Error("no ARN");
    return { arn, keyManager: out.KeyMetadata?.KeyManager };
  } catch (err) {
    throw lookupError(err, spec, why, kms);
  } finally {
    client.destroy();
  }
}

export async function resolveKeyArn(spec: string, kms: KmsAccess): Promise<string> {
  if (!isAlias(spec)) return spec;
  return (await describeKey(spec, kms, RESOLVE)).arn;
}
