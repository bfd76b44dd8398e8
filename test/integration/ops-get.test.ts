// get: names by default, values only with --reveal, and only from objects
// exec would trust.
import { createHmac } from "node:crypto";
import { s3KmsAccessDenied } from "../support/fault-proxy";
import { canary, errorLine, freshKey, opsWorld, withS3Answer, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";
import { untrustedKey } from "../support/exec";

let world: OpsWorld;
let uri: string;
let key: string;
let versionId: string | undefined;
const password = canary("pw");
const token = canary("tok");
const stored = `# app settings\nexport DB_PASSWORD="${password}"\nAPI_TOKEN='${token}'\nQUOTE="it's"\n`;
const fingerprintKey = "team-fingerprint-key-0123456789";

beforeAll(async () => {
  world = await opsWorld("get");
  key = freshKey();
  uri = `s3://${world.bucket}/${key}`;
  ({ versionId } = await world.aws.putEnvObject(world.bucket, key, stored, {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  }));
});
afterAll(() => world.aws.destroy());

const fingerprint = (name: string, value: string) =>
  createHmac("sha256", fingerprintKey).update(`${name}\0${value}`).digest("hex").slice(0, 8);

describe("get", () => {
  test("prints each name with its value's length, and no value", async () => {
    const result = await runCli(["get", uri]);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `DB_PASSWORD bytes=${password.length}\nAPI_TOKEN bytes=${token.length}\nQUOTE bytes=4\n`,
      stderr: `s3-kms-env: ${uri} (version=${versionId} kms=${world.key.arn} variables=3)\n`,
    });
    expectNoLeak(result, [password, token]);
  });

  test("adds a keyed fingerprint when S3_KMS_ENV_FINGERPRINT_KEY is set", async () => {
    const result = await runCli(["get", "-q", uri], {
      env: { S3_KMS_ENV_FINGERPRINT_KEY: fingerprintKey },
    });
    expect(result.stdout).toBe(
      `DB_PASSWORD bytes=${password.length} fp=${fingerprint("DB_PASSWORD", password)}\n` +
        `API_TOKEN bytes=${token.length} fp=${fingerprint("API_TOKEN", token)}\n` +
        `QUOTE bytes=4 fp=${fingerprint("QUOTE", "it's")}\n`,
    );
    expectNoLeak(result, [password, token]);
  });

  test("refuses a fingerprint key short enough to guess", async () => {
    const result = await runCli(["get", uri], { env: { S3_KMS_ENV_FINGERPRINT_KEY: "short" } });
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        "S3_KMS_ENV_FINGERPRINT_KEY must be at least 16 characters (a random secret shared by the team)",
        "USAGE",
      ),
    });
  });

  test("--json prints names, lengths and the object's facts, no value", async () => {
    const result = await runCli(["get", "-q", uri, "--json"]);
    expect(JSON.parse(result.stdout)).toEqual({
      uri,
      versionId,
      etag: expect.any(String) as string,
      kmsKeyArn: world.key.arn,
      variables: [
        { name: "DB_PASSWORD", bytes: password.length },
        { name: "API_TOKEN", bytes: token.length },
        { name: "QUOTE", bytes: 4 },
      ],
    });
    expectNoLeak(result, [password, token]);
  });

  test("--reveal prints the stored dotenv text", async () => {
    const result = await runCli(["get", "-q", uri, "--reveal"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: stored, stderr: "" });
  });

  test("--reveal --format json prints the values as a JSON object", async () => {
    const result = await runCli(["get", "-q", uri, "--reveal", "--format", "json"]);
    expect(JSON.parse(result.stdout)).toEqual({
      DB_PASSWORD: password,
      API_TOKEN: token,
      QUOTE: "it's",
    });
  });

  test("--reveal --format shell prints single-quoted export lines", async () => {
    const result = await runCli(["get", "-q", uri, "--reveal", "--format", "shell"]);
    expect(result.stdout).toBe(
      `export DB_PASSWORD='${password}'\nexport API_TOKEN='${token}'\nexport QUOTE='it'\\''s'\n`,
    );
  });

  test("--format without --reveal is a usage error", async () => {
    const result = await runCli(["get", uri, "--format", "json"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine("--format applies to --reveal; without it only names are shown", "USAGE"),
    });
  });

  test("reads an older version with ?versionId=", async () => {
    const k = freshKey();
    const first = await world.aws.putEnvObject(world.bucket, k, "OLD=1\n", {
      sse: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    await world.aws.putEnvObject(world.bucket, k, "NEW=1\n", {
      sse: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    const result = await runCli([
      "get",
      "-q",
      `s3://${world.bucket}/${k}?versionId=${first.versionId}`,
    ]);
    expect(result.stdout).toBe("OLD bytes=1\n");
  });

  test("refuses to reveal an object that is not SSE-KMS encrypted", async () => {
    const k = freshKey();
    const secret = canary("plain");
    await world.aws.putEnvObject(world.bucket, k, `A=${secret}\n`, { sse: "AES256" });
    const result = await runCli(["get", `s3://${world.bucket}/${k}`, "--reveal"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `s3://${world.bucket}/${k} is not encrypted with SSE-KMS (it has AES256); refusing to trust it. Upload it with "s3-kms-env put"`,
        "NOT_KMS_ENCRYPTED",
      ),
    });
    expectNoLeak(result, [secret]);
  });

  test("refuses an object under another key than --kms-key-id", async () => {
    const result = await runCli(["get", uri, "--kms-key-id", world.otherKey.arn]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(untrustedKey(uri, world.key.arn, [world.otherKey.arn]), "WRONG_KMS_KEY"),
    });
  });

  test("a role without kms:Decrypt gets KMS_ACCESS_DENIED (fault proxy)", async () => {
    await withS3Answer("GET", s3KmsAccessDenied(world.key.arn), async (endpoint) => {
      const result = await runCli(["get", uri], { endpoint });
      expect(result).toMatchObject({
        exitCode: 125,
        stdout: "",
        stderr: errorLine(
          `${uri}: KMS denied kms:Decrypt; grant kms:Decrypt on the KMS key to this role (IAM policy and key policy)`,
          "KMS_ACCESS_DENIED",
        ),
      });
    });
  });

  test("a missing object is NO_SUCH_KEY", async () => {
    const missing = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["get", missing]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(`${missing} does not exist`, "NO_SUCH_KEY"),
    });
  });
});
