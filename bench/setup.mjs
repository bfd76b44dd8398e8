// What both benchmarks stand on: a private moto on 127.0.0.1, the tests'
// fault proxy in front of it (used only to count requests), one SSE-KMS env
// file, and the environment every measured command gets.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
export { BINARY, BUNDLE, PINNED_NODE as NODE } from "../scripts/dist-layout.mjs";
import { startMoto } from "../scripts/moto.mjs";
// Node 26 strips the types of this .ts file; the proxy already counts every request.
import { startFaultProxy } from "../test/support/fault-proxy.ts";

const BUCKET = "bench-config";
const OBJECT_KEY = "prod/app.env";
export const KMS_ALIAS = "alias/bench";
const AWS_SETTINGS = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_EC2_METADATA_DISABLED: "true",
};

/** A plausible service env file: 20 names, ~1 KiB, values safe for the shell `eval` row too. */
export function envFileVariables() {
  return Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`APP_SETTING_${i}`, `value${i}x`.repeat(6)]),
  );
}

export function envFileBody() {
  return Object.entries(envFileVariables())
    .map(([name, value]) => `${name}=${value}\n`)
    .join("");
}

async function uploadFixture(endpoint) {
  const config = { endpoint, ...clientSettings() };
  const kms = new KMSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  try {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "bench" }));
    await kms.send(
      new CreateAliasCommand({ AliasName: KMS_ALIAS, TargetKeyId: KeyMetadata.KeyId }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: OBJECT_KEY,
        Body: envFileBody(),
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: KeyMetadata.Arn,
      }),
    );
    return KeyMetadata.Arn;
  } finally {
    kms.destroy();
    s3.destroy();
  }
}

function clientSettings() {
  return {
    region: AWS_SETTINGS.AWS_REGION,
    credentials: {
      accessKeyId: AWS_SETTINGS.AWS_ACCESS_KEY_ID,
      secretAccessKey: AWS_SETTINGS.AWS_SECRET_ACCESS_KEY,
    },
  };
}

/**
 * Starts moto and the counting proxy, uploads the env file.
 * @returns {Promise<{ uri: string, bucket: string, keyArn: string, env: Record<string,string>,
 *   requestCount(): number, proxy: import("../test/support/fault-proxy.ts").FaultProxy,
 *   scratch: string, close(): Promise<void> }>}
 */
export async function startBench() {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.url);
  // An empty HOME: a developer's ~/.aws must not steer any row.
  const scratch = mkdtempSync(path.join(tmpdir(), "s3-kms-env-bench-"));
  const close = async () => {
    await proxy.close();
    await moto.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const keyArn = await uploadFixture(moto.url);
    return {
      uri: `s3://${BUCKET}/${OBJECT_KEY}`,
      bucket: BUCKET,
      keyArn,
      scratch,
      env: { PATH: "/usr/bin:/bin", HOME: scratch, AWS_ENDPOINT_URL: proxy.url, ...AWS_SETTINGS },
      requestCount: () => proxy.requests.length,
      proxy,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
