// verify: exit 0 only for an object exec would accept; otherwise the reason.
import { s3KmsDisabled, startFaultProxy, type CannedResponse } from "../support/fault-proxy";
import { motoUrl } from "../support/moto";
import { canary, errorLine, freshKey, opsWorld, withS3Answer, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";
import { untrustedKey } from "../support/exec";

let world: OpsWorld;

beforeAll(async () => {
  world = await opsWorld("verify");
});
afterAll(() => world.aws.destroy());

async function stored(body: string, sse: "aws:kms" | "AES256" = "aws:kms") {
  const key = freshKey();
  const { versionId } = await world.aws.putEnvObject(world.bucket, key, body, {
    sse,
    ...(sse === "aws:kms" ? { kmsKeyId: world.key.arn } : {}),
  });
  return { uri: `s3://${world.bucket}/${key}`, versionId };
}

describe("verify", () => {
  test("passes an SSE-KMS object that parses under exec's rules", async () => {
    const secret = canary("ok");
    const { uri, versionId } = await stored(`DB_PASSWORD=${secret}\n`);
    const result = await runCli(["verify", uri, "--kms-key-id", world.key.arn]);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `ok ${uri} (version=${versionId} kms=${world.key.arn} variables=1)\n`,
      stderr: "",
    });
    expectNoLeak(result, [secret]);
  });

  test("fails a missing object", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["verify", uri]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: `FAILED ${uri} (code=NO_SUCH_KEY)\n`,
      stderr: errorLine(`${uri} does not exist`, "NO_SUCH_KEY"),
    });
  });

  test("a URI ending in / checks every object under that prefix", async () => {
    const secret = canary("prefix");
    const prefix = freshKey("vp").replace(/\.env$/, "/");
    const put = (name: string, body: string, sse: "aws:kms" | "AES256" = "aws:kms") =>
      world.aws.putEnvObject(world.bucket, `${prefix}${name}`, body, {
        sse,
        ...(sse === "aws:kms" ? { kmsKeyId: world.key.arn } : {}),
      });
    const a = await put("a.env", `A=${secret}\n`);
    await put("b.env", "B=1\n", "AES256");
    await world.aws.putEnvObject(world.bucket, `${prefix.slice(0, -1)}-outside.env`, "A=1\n", {
      sse: "AES256",
    });
    const uri = `s3://${world.bucket}/${prefix}`;
    const result = await runCli(["verify", uri]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout:
        `ok ${uri}a.env (version=${a.versionId} kms=${world.key.arn} variables=1)\n` +
        `FAILED ${uri}b.env (code=NOT_KMS_ENCRYPTED)\n`,
      stderr: errorLine(
        `${uri}b.env is not encrypted with SSE-KMS (it has AES256); refusing to trust it. Upload it with "s3-kms-env put"`,
        "NOT_KMS_ENCRYPTED",
      ),
    });
    expectNoLeak(result, [secret]);

    const bare = uri.slice(0, -1);
    const hinted = await runCli(["verify", bare]);
    expect(hinted).toMatchObject({
      exitCode: 125,
      stdout: `FAILED ${bare} (code=NO_SUCH_KEY)\n`,
      stderr: errorLine(
        `${bare} does not exist, but 2 objects are under ${uri}; to name them all, add the "/": ${uri}`,
        "NO_SUCH_KEY",
      ),
    });

    const empty = `s3://${world.bucket}/${freshKey("none").replace(/\.env$/, "/")}`;
    const none = await runCli(["verify", empty]);
    expect(none).toMatchObject({
      exitCode: 125,
      stdout: `FAILED ${empty} (code=NO_SUCH_KEY)\n`,
      stderr: errorLine(`no objects under ${empty}`, "NO_SUCH_KEY"),
    });
  });

  test("fails an object without SSE-KMS, even with --insecure-allow-unencrypted", async () => {
    const { uri } = await stored("A=1\n", "AES256");
    const result = await runCli(["verify", uri, "--insecure-allow-unencrypted"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} is not encrypted with SSE-KMS (it has AES256); refusing to trust it. Upload it with "s3-kms-env put"`,
        "NOT_KMS_ENCRYPTED",
      ),
    });
  });

  test("fails an object under another key than --kms-key-id", async () => {
    const { uri } = await stored("A=1\n");
    const result = await runCli(["verify", uri, "--kms-key-id", world.otherKey.keyId]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(untrustedKey(uri, world.key.arn, [world.otherKey.keyId]), "WRONG_KMS_KEY"),
    });
  });

  test("fails an object that does not parse, naming the line only", async () => {
    const secret = canary("line");
    const { uri } = await stored(`A=1\nB=p#${secret}\n`);
    const result = await runCli(["verify", uri]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri}: line 2: unquoted value contains '#', which dotenv reads as a comment; quote the value`,
        "PARSE",
      ),
    });
    expectNoLeak(result, [secret]);
  });

  test("fails a refused name, and passes it with --allow-name", async () => {
    const { uri } = await stored("NODE_OPTIONS=--require=/tmp/x.js\n");
    const refused = await runCli(["verify", uri]);
    expect(refused).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} sets NODE_OPTIONS (would take over the app's runtime); would be refused at start. Allow it with --allow-name NODE_OPTIONS if this is intended`,
        "REFUSED_NAME",
      ),
    });
    const allowed = await runCli(["verify", "-q", uri, "--allow-name", "NODE_OPTIONS"]);
    expect(allowed.exitCode).toBe(0);
  });

  test("checks every object given and fails if any fails, with --json for dashboards", async () => {
    const good = await stored("A=1\n");
    const bad = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["verify", "-q", good.uri, bad, "--json"]);
    expect(result.exitCode).toBe(125);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      results: [
        {
          uri: good.uri,
          ok: true,
          versionId: good.versionId,
          kmsKeyArn: world.key.arn,
          variables: 1,
          duplicates: [],
        },
        { uri: bad, ok: false, code: "NO_SUCH_KEY", message: `${bad} does not exist` },
      ],
    });
  });

  test("fails an object whose key is disabled (fault proxy)", async () => {
    const { uri } = await stored("A=1\n");
    await withS3Answer("GET", s3KmsDisabled(world.key.arn), async (endpoint) => {
      const result = await runCli(["verify", uri], { endpoint });
      expect(result).toMatchObject({
        exitCode: 125,
        stderr: errorLine(
          `${uri}: the KMS key is disabled or pending deletion (KMS.DisabledException); enable the key (or cancel its deletion): only it can decrypt the object`,
          "KMS_KEY_DISABLED",
        ),
      });
    });
  });

  test("fails an object under an AWS-managed key (DescribeKey says KeyManager AWS)", async () => {
    const secret = canary("managed");
    const { uri } = await stored(`DB_PASSWORD=${secret}\n`);
    const proxy = await startFaultProxy(motoUrl());
    try {
      // moto reports every key as CUSTOMER, even the one behind alias/aws/s3.
      proxy.addRule({
        match: { target: "TrentService.DescribeKey" },
        respond: awsManagedKey(world.key.arn),
      });
      const result = await runCli(["verify", uri], { endpoint: proxy.url });
      expect(result).toEqual({
        exitCode: 125,
        signal: null,
        timedOut: false,
        stdout: `FAILED ${uri} (code=AWS_MANAGED_KEY)\n`,
        stderr: errorLine(
          `${uri} is encrypted with the AWS-managed KMS key ${world.key.arn}: anyone with s3:PutObject on the bucket can write under it, so it proves nothing about the writer. Check its content and put it again under a customer-managed key`,
          "AWS_MANAGED_KEY",
        ),
      });
      expect(proxy.requests.filter((r) => r.target === "TrentService.DescribeKey")).toHaveLength(1);
      expectNoLeak(result, [secret]);
    } finally {
      await proxy.close();
    }
  });
});

/** KMS's DescribeKey answer for the aws/s3 key, as AWS sends it. */
function awsManagedKey(arn: string): CannedResponse {
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.1" },
    body: JSON.stringify({
      KeyMetadata: {
        AWSAccountId: "123456789012",
        Arn: arn,
        CreationDate: 1.7e9,
        Description: "Default key that protects my S3 objects when no other key is defined",
        Enabled: true,
        KeyId: arn.split("/").pop(),
        KeyManager: "AWS",
        KeySpec: "SYMMETRIC_DEFAULT",
        KeyState: "Enabled",
        KeyUsage: "ENCRYPT_DECRYPT",
        MultiRegion: false,
        Origin: "AWS_KMS",
        EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      },
    }),
  };
}
