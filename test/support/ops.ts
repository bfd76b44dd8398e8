// Shared set-up for the ops commands' integration tests: buckets with and
// without versioning, KMS keys, canary values and the exact error line.
import { randomBytes } from "node:crypto";
import { HeadObjectCommand, type HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import { TestAws, uniqueBucket } from "./aws";
import {
  EXAMPLE_PRINCIPAL,
  s3Error,
  startFaultProxy,
  type CannedResponse,
  type FaultProxy,
} from "./fault-proxy";
import { motoUrl } from "./moto";

export interface OpsWorld {
  readonly aws: TestAws;
  /** Versioning enabled. */
  readonly bucket: string;
  /** Versioning never enabled. */
  readonly plainBucket: string;
  readonly key: { readonly keyId: string; readonly arn: string };
  readonly otherKey: { readonly keyId: string; readonly arn: string };
}

export async function opsWorld(name: string): Promise<OpsWorld> {
  const aws = new TestAws();
  const bucket = await aws.createBucket(uniqueBucket(`${name}-v`), { versioning: true });
  const plainBucket = await aws.createBucket(uniqueBucket(`${name}-u`));
  const key = await aws.createKmsKey({ description: `${name} key` });
  const otherKey = await aws.createKmsKey({ description: `${name} other key` });
  return { aws, bucket, plainBucket, key, otherKey };
}

/** A secret-looking value that must never show up in any output. */
export function canary(label: string): string {
  return `canary-${label}-${randomBytes(6).toString("hex")}`;
}

/** The one line every failure prints on stderr. */
export function errorLine(message: string, code: string): string {
  return `s3-kms-env: error: ${message} (code=${code})\n`;
}

let counter = 0;
/** A key no other test in the file uses. */
export function freshKey(prefix = "app"): string {
  counter += 1;
  return `${prefix}/${counter}-${randomBytes(3).toString("hex")}.env`;
}

export function head(aws: TestAws, bucket: string, key: string): Promise<HeadObjectCommandOutput> {
  return aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

/** S3's answer to a conditional write whose object changed since it was read. */
export const PRECONDITION_FAILED = s3Error(
  412,
  "PreconditionFailed",
  "At least one of the pre-conditions you specified did not hold",
);

/** S3's answer to a PUT by a role with s3:PutObject but no kms:GenerateDataKey on the key. */
export function generateDataKeyDenied(keyArn: string): CannedResponse {
  return s3Error(
    403,
    "AccessDenied",
    `User: ${EXAMPLE_PRINCIPAL} is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn} because no identity-based policy allows the kms:GenerateDataKey action`,
  );
}

/** Runs `test` against a fault proxy in front of moto whose every S3 `method` request gets `answer`. */
export async function withS3Answer<T>(
  method: string,
  answer: CannedResponse,
  test: (endpoint: string, proxy: FaultProxy) => Promise<T>,
): Promise<T> {
  const proxy = await startFaultProxy(motoUrl());
  try {
    proxy.addRule({ match: { service: "s3", method }, respond: answer });
    return await test(proxy.url, proxy);
  } finally {
    await proxy.close();
  }
}
