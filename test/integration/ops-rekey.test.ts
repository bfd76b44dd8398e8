// rekey: every object under a prefix ends up under the new key, content
// unchanged; re-runs skip what is done; plaintext objects are never blessed.
import { s3KmsDisabled } from "../support/fault-proxy";
import { canary, errorLine, freshKey, opsWorld, withS3Answer, type OpsWorld } from "../support/ops";
import { untrustedKey } from "../support/exec";
import { expectNoLeak, runCli } from "../support/run-cli";

let world: OpsWorld;

beforeAll(async () => {
  world = await opsWorld("rekey");
});
afterAll(() => world.aws.destroy());

/** Re-key from world.key, named as trusted, to world.otherKey. */
const TO_OTHER_KEY = (): string[] => [
  "--kms-key-id",
  world.otherKey.arn,
  "--trusted-kms-key-id",
  world.key.arn,
];

/** A fresh prefix holding `files` (name → body), SSE-KMS under world.key unless named "plain*". */
async function prefixWith(files: Record<string, string>) {
  const prefix = freshKey("team").replace(/\.env$/, "/");
  for (const [name, body] of Object.entries(files)) {
    await world.aws.putEnvObject(
      world.bucket,
      `${prefix}${name}`,
      body,
      name.startsWith("plain") ? { sse: "AES256" } : { sse: "aws:kms", kmsKeyId: world.key.arn },
    );
  }
  return { prefix, uri: `s3://${world.bucket}/${prefix}` };
}

describe("rekey", () => {
  test("re-encrypts every object under the prefix under the new key, content unchanged", async () => {
    const { prefix, uri } = await prefixWith({ "a.env": "A=1\n", "b.env": "B=2\n" });
    await world.aws.putEnvObject(world.bucket, `${prefix.slice(0, -1)}-outside.env`, "C=3\n", {
      sse: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    const result = await runCli(["rekey", uri, ...TO_OTHER_KEY()]);
    const a = await world.aws.getObject(world.bucket, `${prefix}a.env`);
    const b = await world.aws.getObject(world.bucket, `${prefix}b.env`);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout:
        `rekeyed s3://${world.bucket}/${prefix}a.env (from=${world.key.arn} version=${a.versionId})\n` +
        `rekeyed s3://${world.bucket}/${prefix}b.env (from=${world.key.arn} version=${b.versionId})\n`,
      stderr: "",
    });
    expect([a, b]).toMatchObject([
      { body: "A=1\n", kmsKeyId: world.otherKey.arn },
      { body: "B=2\n", kmsKeyId: world.otherKey.arn },
    ]);
    expect(
      await world.aws.getObject(world.bucket, `${prefix.slice(0, -1)}-outside.env`),
    ).toMatchObject({
      kmsKeyId: world.key.arn,
    });
  });

  test("skips what is already under the new key, so a re-run changes nothing", async () => {
    const { prefix, uri } = await prefixWith({ "a.env": "A=1\n" });
    await runCli(["rekey", uri, ...TO_OTHER_KEY()]);
    const again = await runCli(["rekey", uri, "--kms-key-id", world.otherKey.keyId, "--json"]);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      uri,
      outcomes: [
        { uri: `s3://${world.bucket}/${prefix}a.env`, action: "skipped", from: world.otherKey.arn },
      ],
    });
    expect(await world.aws.listVersions(world.bucket, `${prefix}a.env`)).toHaveLength(2);
  });

  test("re-keys one object given without a trailing slash", async () => {
    const { prefix } = await prefixWith({ "a.env": "A=1\n", "b.env": "B=1\n" });
    const result = await runCli([
      "rekey",
      `s3://${world.bucket}/${prefix}a.env`,
      ...TO_OTHER_KEY(),
    ]);
    expect(result.exitCode).toBe(0);
    expect((await world.aws.getObject(world.bucket, `${prefix}a.env`)).kmsKeyId).toBe(
      world.otherKey.arn,
    );
    expect((await world.aws.getObject(world.bucket, `${prefix}b.env`)).kmsKeyId).toBe(
      world.key.arn,
    );
  });

  test("--dry-run reports and changes nothing", async () => {
    const { prefix, uri } = await prefixWith({ "a.env": "A=1\n" });
    const result = await runCli(["rekey", uri, ...TO_OTHER_KEY(), "--dry-run"]);
    expect(result.stdout).toBe(
      `would rekey s3://${world.bucket}/${prefix}a.env (from=${world.key.arn})\n`,
    );
    expect(await world.aws.listVersions(world.bucket, `${prefix}a.env`)).toHaveLength(1);
  });

  test("refuses plaintext objects, re-keys the rest, and fails with REKEY_INCOMPLETE", async () => {
    const { prefix, uri } = await prefixWith({ "a.env": "A=1\n", "plain.env": "P=1\n" });
    const result = await runCli(["rekey", uri, ...TO_OTHER_KEY()]);
    const plain = `s3://${world.bucket}/${prefix}plain.env`;
    expect(result.exitCode).toBe(125);
    expect(result.stdout).toMatch(
      new RegExp(`^rekeyed .*a\\.env .*\\nrefused ${plain} \\(code=NOT_KMS_ENCRYPTED\\)\\n$`),
    );
    expect(result.stderr).toBe(
      `s3-kms-env: warn: ${plain} is not SSE-KMS encrypted (it has AES256), so it was not re-keyed; check its content and upload it with put (code=NOT_KMS_ENCRYPTED)\n` +
        errorLine(
          `1 of 2 objects under ${uri} are not under the new key; fix them and run rekey again (done ones are skipped)`,
          "REKEY_INCOMPLETE",
        ),
    );
    expect(
      (await world.aws.getObject(world.bucket, `${prefix}plain.env`)).serverSideEncryption,
    ).toBe("AES256");
  });

  test("fails for one plaintext object with its own reason", async () => {
    const { prefix } = await prefixWith({ "plain.env": "P=1\n" });
    const uri = `s3://${world.bucket}/${prefix}plain.env`;
    const result = await runCli(["rekey", uri, ...TO_OTHER_KEY()]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${uri} is not SSE-KMS encrypted (it has AES256), so it was not re-keyed; check its content and upload it with put`,
        "NOT_KMS_ENCRYPTED",
      ),
    });
  });

  test("reports a disabled new key (fault proxy)", async () => {
    const { prefix } = await prefixWith({ "a.env": "A=1\n" });
    const uri = `s3://${world.bucket}/${prefix}a.env`;
    await withS3Answer("PUT", s3KmsDisabled(world.otherKey.arn), async (endpoint) => {
      const result = await runCli(["rekey", uri, ...TO_OTHER_KEY()], {
        endpoint,
      });
      expect(result).toMatchObject({
        exitCode: 125,
        stderr: errorLine(
          `${uri}: the KMS key is disabled or pending deletion (KMS.DisabledException); enable the key or use another with --kms-key-id`,
          "KMS_KEY_DISABLED",
        ),
      });
    });
  });

  test("requires --kms-key-id", async () => {
    const result = await runCli(["rekey", `s3://${world.bucket}/team/`]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine("give --kms-key-id NEW, the key to re-encrypt under", "USAGE"),
    });
  });

  test("a key without its trailing slash that only exists as a prefix says to add the /", async () => {
    const { prefix } = await prefixWith({ "a.env": "A=1\n", "b.env": "B=2\n" });
    const uri = `s3://${world.bucket}/${prefix.slice(0, -1)}`;
    const result = await runCli(["rekey", uri, ...TO_OTHER_KEY()]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${uri} does not exist, but 2 objects are under ${uri}/; to name them all, add the "/": ${uri}/`,
        "NO_SUCH_KEY",
      ),
    });
    expect((await world.aws.getObject(world.bucket, `${prefix}a.env`)).kmsKeyId).toBe(
      world.key.arn,
    );
  });

  test("fails for a prefix with no objects", async () => {
    const uri = `s3://${world.bucket}/${freshKey("none").replace(/\.env$/, "/")}`;
    const result = await runCli(["rekey", uri, ...TO_OTHER_KEY()]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(`no objects under ${uri}`, "NO_SUCH_KEY"),
    });
  });

  test("skips a planted object under a foreign key, names it, and never moves it", async () => {
    const foreign = await world.aws.createKmsKey({ description: "rekey foreign" });
    const secret = canary("planted");
    const { prefix, uri } = await prefixWith({ "a.env": "A=1\n" });
    await world.aws.putEnvObject(world.bucket, `${prefix}planted.env`, `EVIL=${secret}\n`, {
      sse: "aws:kms",
      kmsKeyId: foreign.arn,
    });
    const planted = `s3://${world.bucket}/${prefix}planted.env`;
    const result = await runCli(["rekey", uri, ...TO_OTHER_KEY()]);
    const a = await world.aws.getObject(world.bucket, `${prefix}a.env`);
    expect(result).toEqual({
      exitCode: 125,
      signal: null,
      timedOut: false,
      stdout:
        `rekeyed s3://${world.bucket}/${prefix}a.env (from=${world.key.arn} version=${a.versionId})\n` +
        `refused ${planted} (code=WRONG_KMS_KEY)\n`,
      stderr:
        `s3-kms-env: warn: ${planted} is under KMS key ${foreign.arn}, which is not trusted, so it was not re-keyed; check its content, then name that key with --trusted-kms-key-id (or put the file again) (code=WRONG_KMS_KEY)\n` +
        errorLine(
          `1 of 2 objects under ${uri} are not under the new key; fix them and run rekey again (done ones are skipped)`,
          "REKEY_INCOMPLETE",
        ),
    });
    expect(await world.aws.getObject(world.bucket, `${prefix}planted.env`)).toMatchObject({
      kmsKeyId: foreign.arn,
    });
    expect(await world.aws.listVersions(world.bucket, `${prefix}planted.env`)).toHaveLength(1);
    const exec = await runCli(["exec", "--kms-key-id", world.otherKey.arn, planted, "--", "true"]);
    expect(exec).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(untrustedKey(planted, foreign.arn, [world.otherKey.arn]), "WRONG_KMS_KEY"),
    });
    expectNoLeak(result, [secret]);
    expectNoLeak(exec, [secret]);
  });

  test("without a trusted key, moves nothing but what is already under the new key", async () => {
    const { prefix } = await prefixWith({ "a.env": "A=1\n" });
    const uri = `s3://${world.bucket}/${prefix}a.env`;
    const result = await runCli(["rekey", uri, "--kms-key-id", world.otherKey.arn]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${uri} is under KMS key ${world.key.arn}, which is not trusted, so it was not re-keyed; check its content, then name that key with --trusted-kms-key-id (or put the file again)`,
        "WRONG_KMS_KEY",
      ),
    });
    expect((await world.aws.getObject(world.bucket, `${prefix}a.env`)).kmsKeyId).toBe(
      world.key.arn,
    );
  });

  test("trusts the keys in S3_KMS_ENV_KMS_KEY_ID as keys to move from", async () => {
    const { prefix, uri } = await prefixWith({ "a.env": "A=1\n" });
    const result = await runCli(["rekey", uri, "--kms-key-id", world.otherKey.arn], {
      env: { S3_KMS_ENV_KMS_KEY_ID: `${world.key.arn} ${world.otherKey.arn}` },
    });
    expect(result.exitCode).toBe(0);
    expect((await world.aws.getObject(world.bucket, `${prefix}a.env`)).kmsKeyId).toBe(
      world.otherKey.arn,
    );
  });
});
