// Resolve a --kms-key-id given as an alias to the key ARN that S3 reports.
// Key ids and key ARNs need no call; only aliases load the KMS client.
import type { CredentialSource } from "./aws-config";
import { SourceError } from "../errors";

export interface KmsAccess {
  readonly region: string;
  readonly endpoint: URL | undefined;
  readonly credentials: CredentialSource;
  /** Deadline for the lookup, retries included. */
  readonly timeoutMs: number;
}

function isAlias(spec: string): boolean {
  return spec.startsWith("alias/") || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(spec);
}

export async function resolveKeyArn(spec: string, kms: KmsAccess): Promise<string> {
  if (!isAlias(spec)) return spec;
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
    return arn;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === "NotFoundException") {
      throw new SourceError("KMS_ERROR", `KMS key ${spec} does not exist in ${kms.region}`);
    }
    if (name === "AccessDeniedException") {
      throw new SourceError(
        "KMS_ACCESS_DENIED",
        `cannot resolve ${spec}: kms:DescribeKey denied; pass the key ARN instead of an alias`,
      );
    }
    if (name === "AbortError" || name === "TimeoutError") {
      throw new SourceError(
        "TIMEOUT",
        `cannot resolve ${spec}: KMS did not answer within ${kms.timeoutMs} ms`,
      );
    }
    throw new SourceError("KMS_ERROR", `cannot resolve ${spec} (${name ?? "KMS error"})`);
  } finally {
    client.destroy();
  }
}
