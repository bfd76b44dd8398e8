// Where credentials and endpoints come from: the paths a container really
// uses (static keys, the ECS/EKS container endpoint, IRSA web identity) and
// TLS, each against servers on 127.0.0.1 only.
import { writeFileSync, mkdtempSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { TestAws, uniqueBucket } from "../support/aws";
import { motoUrl } from "../support/moto";
import { runCli } from "../support/run-cli";
import { startTlsProxy, type TlsProxy } from "../support/tls-proxy";

const aws = new TestAws();
const bucket = uniqueBucket("creds");
const uri = `s3://${bucket}/app.env`;
const printDb = ["--", "/bin/sh", "-c", 'printf %s "$DB_NAME"'];
const noStaticKeys = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };

let containerEndpoint: http.Server;
let containerUrl: string;
let containerRequests = 0;
let tls: TlsProxy;

beforeAll(async () => {
  await aws.createBucket(bucket);
  const { arn } = await aws.createKmsKey();
  await aws.putEnvObject(bucket, "app.env", "DB_NAME=orders\n", { sse: "aws:kms", kmsKeyId: arn });
  // What the ECS agent / EKS Pod Identity agent serve: temporary credentials as JSON.
  containerEndpoint = http.createServer((_req, res) => {
    containerRequests++;
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        AccessKeyId: "test",
        SecretAccessKey: "test",
        Token: "session",
        Expiration: new Date(Date.now() + 3600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => containerEndpoint.listen(0, "127.0.0.1", resolve));
  containerUrl = `http://127.0.0.1:${(containerEndpoint.address() as AddressInfo).port}/creds`;
  tls = await startTlsProxy(motoUrl());
});

afterAll(async () => {
  aws.destroy();
  containerEndpoint.closeAllConnections();
  await new Promise((resolve) => containerEndpoint.close(resolve));
  await tls.close();
});

test("uses static keys from the environment", async () => {
  const result = await runCli(["exec", "-q", uri, ...printDb]);
  expect(result).toMatchObject({ exitCode: 0, stdout: "orders", stderr: "" });
});

test("gets credentials from the container endpoint (ECS, EKS Pod Identity)", async () => {
  const before = containerRequests;
  const result = await runCli(["exec", "-q", uri, ...printDb], {
    env: { ...noStaticKeys, AWS_CONTAINER_CREDENTIALS_FULL_URI: containerUrl },
  });
  expect(result).toMatchObject({ exitCode: 0, stdout: "orders" });
  expect(containerRequests).toBe(before + 1);
});

test("exchanges a web identity token for credentials (IRSA)", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "irsa-"));
  const tokenFile = path.join(dir, "token");
  writeFileSync(tokenFile, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXBwIn0.");
  const result = await runCli(["exec", "-q", uri, ...printDb], {
    env: {
      ...noStaticKeys,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/app",
    },
  });
  expect(result).toMatchObject({ exitCode: 0, stdout: "orders" });
});

test("uses a profile from AWS_CONFIG_FILE, as the SDK's default chain does", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "profile-"));
  const credentials = path.join(dir, "credentials");
  writeFileSync(credentials, "[ops]\naws_access_key_id = test\naws_secret_access_key = test\n");
  const result = await runCli(["exec", "-q", uri, ...printDb], {
    env: { ...noStaticKeys, AWS_PROFILE: "ops", AWS_SHARED_CREDENTIALS_FILE: credentials },
  });
  expect(result).toMatchObject({ exitCode: 0, stdout: "orders" });
});

test("bounds a credential source that keeps failing by --timeout", async () => {
  const result = await runCli(["exec", "-q", "--timeout", "1500ms", uri, "--", "/bin/true"], {
    env: { ...noStaticKeys, AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds" },
    timeoutMs: 4000,
  });
  expect(result).toMatchObject({ exitCode: 125, timedOut: false });
  expect(result.stderr).toBe(
    "s3-kms-env: error: no AWS credentials within 1500 ms: the credential source did not answer; check the container's role or raise --timeout (code=TIMEOUT)\n",
  );
});

test("fails with NO_CREDENTIALS when no source has any", async () => {
  const result = await runCli(["exec", "-q", uri, "--", "/bin/true"], { env: noStaticKeys });
  expect(result.exitCode).toBe(125);
  expect(result.stderr).toBe(
    "s3-kms-env: error: no AWS credentials found (environment, profile, web identity, ECS or EC2 role): give the container a role or set AWS_PROFILE (code=NO_CREDENTIALS)\n",
  );
});

test("reads over https from an endpoint whose certificate it trusts", async () => {
  const result = await runCli(["exec", "-q", uri, ...printDb], {
    endpoint: tls.url,
    env: { NODE_EXTRA_CA_CERTS: tls.caFile },
  });
  expect(result).toMatchObject({ exitCode: 0, stdout: "orders" });
});
