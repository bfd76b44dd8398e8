// KMS lookups: a --kms-key-id alias resolved to the key ARN that S3 reports
// (key ids and key ARNs need no call; only aliases load the KMS client), and
// whether a key is AWS-managed (verify).
import { credentialsWithin, silentLogger, type CredentialSource } from "./aws-config";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { agentsFor } from "../aws/agents";
import { awsServiceUrl } from "../aws/endpoint";
import type { AwsSettings } from "../aws/settings";
import { S3KmsEnvError, SourceError } from "../errors";
import { beforeDeadline, type Deadline } from "../deadline";
import { serverText } from "../log";

export interface KmsAccess {
  readonly region: string;
  readonly endpoint: URL | undefined;
  /** FIPS, dual-stack, CA bundle and proxy. */
  readonly aws: AwsSettings;
  readonly credentials: CredentialSource;
  /** The lookup, its retries and the credentials share it (exec: the start's one deadline). */
  readonly deadline: Deadline;
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

function lookupLate(spec: string, why: LookupPurpose, kms: KmsAccess): SourceError {
  return new SourceError(
    "TIMEOUT",
    `cannot ${why.verb} ${spec}: KMS did not answer within ${kms.deadline.timeoutMs} ms`,
  );
}

function lookupFailure(
  err: unknown,
  spec: string,
  why: LookupPurpose,
  kms: KmsAccess,
): S3KmsEnvError {
  if (err instanceof S3KmsEnvError) return err;
  if (kms.deadline.signal.aborted) return lookupLate(spec, why, kms);
  const name = (err as { name?: string }).name;
  if (name === "NotFoundException") {
    return new SourceError("KMS_ERROR", `KMS key ${spec} does not exist in ${kms.region}`);
  }
  if (name === "AccessDeniedException") {
    return new SourceError(
      "KMS_ACCESS_DENIED",
      `cannot ${why.verb} ${spec}: kms:DescribeKey denied; ${why.deniedHint}`,
    );
  }
  if (name === "AbortError" || name === "TimeoutError") return lookupLate(spec, why, kms);
  return new SourceError(
    "KMS_ERROR",
    `cannot ${why.verb} ${spec} (${serverText(name ?? "KMS error")})`,
  );
}

export async function describeKey(
  spec: string,
  kms: KmsAccess,
  why: LookupPurpose,
): Promise<KeyFacts> {
  // Resolved here, not by the client: the client's own provider call ignores
  // the abort signal, and its failure would read as a KMS one.
  const credentials = await credentialsWithin(kms.credentials, kms.deadline);
  const { KMSClient, DescribeKeyCommand } = await import("@aws-sdk/client-kms");
  const target = kms.endpoint ?? awsServiceUrl("kms", kms.region);
  const client = new KMSClient({
    region: kms.region,
    ...(kms.endpoint ? { endpoint: kms.endpoint.href } : {}),
    useFipsEndpoint: kms.aws.useFips.value,
    useDualstackEndpoint: kms.aws.useDualstack.value,
    requestHandler: new NodeHttpHandler({
      ...(await agentsFor(target, kms.aws)),
      logger: silentLogger,
    }),
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
      () => lookupLate(spec, why, kms),
    );
    const arn = out.KeyMetadata?.Arn;
    if (!arn) {
      throw new SourceError("KMS_ERROR", `cannot ${why.verb} ${spec}: KMS returned no key ARN`);
    }
    return { arn, keyManager: out.KeyMetadata?.KeyManager };
  } catch (err) {
    throw lookupFailure(err, spec, why, kms);
  } finally {
    client.destroy();
  }
}

export async function resolveKeyArn(spec: string, kms: KmsAccess): Promise<string> {
  if (!isAlias(spec)) return spec;
  return (await describeKey(spec, kms, RESOLVE)).arn;
}
