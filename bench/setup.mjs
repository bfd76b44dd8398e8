// What both benchmarks stand on: a private moto on 127.0.0.1, the tests'
// fault proxy in front of it (used only to count requests), a TLS terminator
// in front of that with a private CA made for the run (real S3 is always
// https), one SSE-KMS env file, and the environment every measured command gets.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
export { BINARY, BUNDLE, PINNED_NODE as NODE } from "../scripts/dist-layout.mjs";
import { startMoto } from "../scripts/moto.mjs";
// Node 26 strips the types of this .ts file; the proxy already counts every request.
import { startFaultProxy } from "../test/support/fault-proxy.ts";
import { startTlsProxy } from "../test/support/tls-proxy.ts";
import { startReceiver } from "../test/support/receiver.ts";
import { useRusageHelper } from "./measure.mjs";

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
 * How each kind of client is told to trust the run's private root CA: the
 * setting each documents. Node reads NODE_EXTRA_CA_CERTS at start-up (the AWS
 * SDK for JavaScript v3 does not read AWS_CA_BUNDLE); Go's crypto/x509 reads
 * SSL_CERT_FILE; the AWS CLI reads AWS_CA_BUNDLE.
 */
export const TRUST_SETTINGS = {
  node: "NODE_EXTRA_CA_CERTS",
  go: "SSL_CERT_FILE",
  "aws-cli": "AWS_CA_BUNDLE",
};

/**
 * Starts moto, the counting proxy and the TLS terminator, uploads the env file.
 * `env` reaches the counting proxy over http; `schemeEnv(scheme, trust)` is
 * what a row adds for http or https (the endpoint, and for https the CA in the
 * row's trust setting).
 * @returns {Promise<{ uri: string, bucket: string, keyArn: string, env: Record<string,string>,
 *   schemeEnv(scheme: "http" | "https", trust?: keyof TRUST_SETTINGS): Record<string,string>,
 *   requestCount(): number, proxy: import("../test/support/fault-proxy.ts").FaultProxy,
 *   notifyUrl: string,
 *   cpuSource: string, scratch: string, close(): Promise<void> }>}
 */
export async function startBench() {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.url);
  const tls = await startTlsProxy(proxy.url);
  // --notify's ops service: answers 204 at once, so its row measures the POST itself.
  const receiver = await startReceiver();
  // An empty HOME: a developer's ~/.aws must not steer any row.
  const scratch = mkdtempSync(path.join(tmpdir(), "s3-kms-env-bench-"));
  const close = async () => {
    await receiver.close();
    await tls.close();
    await proxy.close();
    await moto.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const keyArn = await uploadFixture(moto.url);
    const cpuSource = useRusageHelper(scratch);
    return {
      uri: `s3://${BUCKET}/${OBJECT_KEY}`,
      bucket: BUCKET,
      keyArn,
      scratch,
      env: { PATH: "/usr/bin:/bin", HOME: scratch, AWS_ENDPOINT_URL: proxy.url, ...AWS_SETTINGS },
      schemeEnv: (scheme, trust = "node") =>
        scheme === "http"
          ? { AWS_ENDPOINT_URL: proxy.url }
          : { AWS_ENDPOINT_URL: tls.url, [TRUST_SETTINGS[trust]]: tls.caFile },
      requestCount: () => proxy.requests.length,
      proxy,
      notifyUrl: receiver.url,
      cpuSource,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
