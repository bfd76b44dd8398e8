// KMS lookups: a --kms-key-id alias resolved to the key ARN that S3 reports
// (key ids and key ARNs need no call; only aliases load the KMS client), and
// whether a key is AWS-managed (verify).
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { credentialsWithin, silentLogger, type CredentialSource } from "./config";
import { agentsFor } from "./agents";
import { awsServiceUrl } from "./endpoint";
import type { ResolvedAws } from "./resolve";
import { S3KmsEnvError } from "../errors";
import { beforeDeadline, type Deadline } from "../deadline";
import { serverText } from "../log";
import type { Trace } from "./trace";

export interface KmsAccess {
  readonly region: string;
  readonly endpoint: URL | undefined;
  /** FIPS, dual-stack, CA bundle and proxy. */
  readonly aws: ResolvedAws;
  readonly credentials: CredentialSource;
  /** The lookup, its retries and the credentials share it (exec: the start's one deadline). */
  readonly deadline: Deadline;
  /** --debug's trace of the lean Decrypt's attempts (kms-decrypt.ts). */
  readonly trace?: Trace;
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

function lookupLate(spec: string, why: LookupPurpose, kms: KmsAccess): S3KmsEnvError {
  return new S3KmsEnvError(
    "TIMEOUT",
    `cannot ${why.verb} ${spec}: KMS did not answer within ${kms.deadline.timeoutMs} ms`,
  );
}

/**
 * KMS's answer to a DescribeKey lookup (its error name) as one of our errors;
 * undefined for a timeout or an abort, which the caller words with its deadline.
 */
export function kmsLookupError(
  name: string | undefined,
  spec: string,
  why: LookupPurpose,
  region: string,
): S3KmsEnvError | undefined {
  if (name === "NotFoundException") {
    return new S3KmsEnvError("KMS_ERROR", `KMS key ${spec} does not exist in ${region}`);
  }
  if (name === "AccessDeniedException") {
    return new S3KmsEnvError(
      "KMS_ACCESS_DENIED",
      `cannot ${why.verb} ${spec}: kms:DescribeKey denied; ${why.deniedHint}`,
    );
  }
  if (name === "AbortError" || name === "TimeoutError") return undefined;
  return new S3KmsEnvError(
    "KMS_ERROR",
    `cannot ${why.verb} ${spec} (${serverText(name ?? "KMS error")})`,
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
  return kmsLookupError(name, spec, why, kms.region) ?? lookupLate(spec, why, kms);
}

/**
 * The settings of a KMS client for `kms`: endpoint, FIPS, dual-stack, agents,
 * credentials resolved within the deadline, and as many attempts as it
 * leaves time for. describeKey's client and the Encryption SDK's share them.
 */
export async function kmsClientConfig(kms: KmsAccess) {
  // Resolved here, not by the client: the client's own provider call ignores
  // the abort signal, and its failure would read as a KMS one.
  const credentials = await credentialsWithin(kms.credentials, kms.deadline);
  const target = kms.endpoint ?? awsServiceUrl("kms", kms.region);
  return {
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
  };
}

export async function describeKey(
  spec: string,
  kms: KmsAccess,
  why: LookupPurpose,
): Promise<KeyFacts> {
  const config = await kmsClientConfig(kms);
  const { KMSClient, DescribeKeyCommand } = await import("@aws-sdk/client-kms");
  const client = new KMSClient(config);
  const { signal } = kms.deadline;
  try {
    const out = await beforeDeadline(
      client.send(new DescribeKeyCommand({ KeyId: spec }), { abortSignal: signal }),
      signal,
      () => lookupLate(spec, why, kms),
    );
    const arn = out.KeyMetadata?.Arn;
    if (!arn) {
      throw new S3KmsEnvError("KMS_ERROR", `cannot ${why.verb} ${spec}: KMS returned no key ARN`);
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
