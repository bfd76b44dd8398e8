// Resolve a --kms-key-id given as an alias to the key ARN that S3 reports.
// Key ids and key ARNs need no call; only aliases load the KMS client.
import { credentialsWithin, silentLogger, type CredentialSource } from "./aws-config";
import { S3KmsEnvError, SourceError } from "../errors";
import { beforeDeadline, type Deadline } from "../deadline";
import { serverText } from "../log";

export interface KmsAccess {
  readonly region: string;
  readonly endpoint: URL | undefined;
  readonly credentials: CredentialSource;
  /** The start's one deadline: the lookup, its retries and the credentials share it. */
  readonly deadline: Deadline;
}

function isAlias(spec: string): boolean {
  return spec.startsWith("alias/") || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(spec);
}

function lookupLate(spec: string, kms: KmsAccess): SourceError {
  return new SourceError(
    "TIMEOUT",
    `cannot resolve ${spec}: KMS did not answer within ${kms.deadline.timeoutMs} ms`,
  );
}

function lookupFailure(err: unknown, spec: string, kms: KmsAccess): S3KmsEnvError {
  if (err instanceof S3KmsEnvError) return err;
  if (kms.deadline.signal.aborted) return lookupLate(spec, kms);
  const name = (err as { name?: string }).name;
  if (name === "NotFoundException") {
    return new SourceError("KMS_ERROR", `KMS key ${spec} does not exist in ${kms.region}`);
  }
  if (name === "AccessDeniedException") {
    return new SourceError(
      "KMS_ACCESS_DENIED",
      `cannot resolve ${spec}: kms:DescribeKey denied; pass the key ARN instead of an alias`,
    );
  }
  if (name === "AbortError" || name === "TimeoutError") return lookupLate(spec, kms);
  return new SourceError(
    "KMS_ERROR",
    `cannot resolve ${spec} (${serverText(name ?? "KMS error")})`,
  );
}

export async function resolveKeyArn(spec: string, kms: KmsAccess): Promise<string> {
  if (!isAlias(spec)) return spec;
  // Resolved here, not by the client: the client's own provider call ignores
  // the abort signal, and its failure would read as a KMS one.
  const credentials = await credentialsWithin(kms.credentials, kms.deadline);
  const { KMSClient, DescribeKeyCommand } = await import("@aws-sdk/client-kms");
  const client = new KMSClient({
    region: kms.region,
    ...(kms.endpoint ? { endpoint: kms.endpoint.href } : {}),
    credentials,
    // The SDK's retry strategy, with as many attempts as the deadline leaves time for.
    maxAttempts: 10,
    logger: silentLogger,
  });
  const { signal } = kms.deadline;
  try {
    const out = await beforeDeadline(
      client.send(new DescribeKeyCommand({ KeyId: spec }), { abortSignal: signal }),
      signal,
      () => lookupLate(spec, kms),
    );
    const arn = out.KeyMetadata?.Arn;
    if (!arn) throw new SourceError("KMS_ERROR", `cannot resolve ${spec}: KMS returned no key ARN`);
    return arn;
  } catch (err) {
    throw lookupFailure(err, spec, kms);
  } finally {
    client.destroy();
  }
}
