// Trusted keys are explicit: exec starts only when the KMS key(s) the env
// files are under are named (--kms-key-id, S3_KMS_ENV_KMS_KEY_ID), or under
// an explicit, loudly logged development opt-out.
import {
  ANY_KEY_WARNING,
  canary,
  escapeRegExp,
  ExecFixture,
  execEnv,
  expectFailure,
  PRINT_ENV,
  runExec,
  ScratchDir,
  untrustedKey,
} from "../support/exec";
import { expectNoLeak } from "../support/run-cli";

const NO_TRUSTED_KEY =
  "no trusted KMS key is named, and an object under any key (the AWS-managed aws/s3 key " +
  "included) could have been written by anyone with s3:PutObject; give --kms-key-id ARN " +
  "or set S3_KMS_ENV_KMS_KEY_ID=ARN[,ARN…] to the key(s) your env files are encrypted with";

/** The helpers name this file's keys by default; these tests name their own, or none. */
const NO_KEY = { S3_KMS_ENV_KMS_KEY_ID: undefined };

let fx: ExecFixture;
let scratch: ScratchDir;
let second: { keyId: string; arn: string };
let foreign: { keyId: string; arn: string };
const secret = canary("TRUST");

beforeAll(async () => {
  fx = await ExecFixture.create("exec-trust");
  scratch = new ScratchDir();
  second = await fx.aws.createKmsKey({ description: "exec-trust second" });
  foreign = await fx.aws.createKmsKey({ description: "exec-trust foreign" });
});

afterAll(() => {
  fx.destroy();
  scratch.remove();
});

test.concurrent("without a trusted key exec exits 125 and never starts the app", async () => {
  const uri = await fx.put(`SECRET=${secret}\n`);
  const app = scratch.marker();
  const result = await runExec({ env: NO_KEY, sources: [uri], command: app.command });
  expectFailure(result, "NO_TRUSTED_KEY", NO_TRUSTED_KEY);
  expect(app.ran()).toBe(false);
});

test.concurrent("an empty S3_KMS_ENV_KMS_KEY_ID names no trusted key", async () => {
  const uri = await fx.put(`SECRET=${secret}\n`);
  const result = await runExec({ env: { S3_KMS_ENV_KMS_KEY_ID: " , " }, sources: [uri] });
  expectFailure(result, "NO_TRUSTED_KEY", NO_TRUSTED_KEY);
});

test.concurrent.each([
  ["the first", () => fx.kmsKey.arn],
  ["the second", () => second.arn],
])("S3_KMS_ENV_KMS_KEY_ID with two keys accepts an object under %s", async (_which, keyArn) => {
  const uri = await fx.put(`SECRET=${secret}\n`, { kmsKeyId: keyArn() });
  const env = await execEnv({
    env: { S3_KMS_ENV_KMS_KEY_ID: `${fx.kmsKey.arn},\n ${second.keyId}` },
    sources: [uri],
  });
  expect(env.SECRET).toBe(secret);
});

test.concurrent("repeated --kms-key-id flags accept an object under any of them", async () => {
  const uri = await fx.put(`SECRET=${secret}\n`, { kmsKeyId: second.arn });
  const env = await execEnv({
    env: NO_KEY,
    flags: ["--kms-key-id", fx.kmsKey.arn, "--kms-key-id", second.arn],
    sources: [uri],
  });
  expect(env.SECRET).toBe(secret);
});

test.concurrent(
  "an object under a key not in the list is refused, naming every trusted key",
  async () => {
    const uri = await fx.put(`SECRET=${secret}\n`, { kmsKeyId: foreign.arn });
    const app = scratch.marker();
    const result = await runExec({
      env: { S3_KMS_ENV_KMS_KEY_ID: `${fx.kmsKey.arn},${second.arn}` },
      sources: [uri],
      command: app.command,
    });
    expectFailure(
      result,
      "WRONG_KMS_KEY",
      untrustedKey(uri, foreign.arn, [fx.kmsKey.arn, second.arn]),
    );
    expect(app.ran()).toBe(false);
    expectNoLeak(result, [secret]);
  },
);

test.concurrent(
  "--insecure-any-kms-key starts under any key with a warning on every start",
  async () => {
    const uri = await fx.put(`SECRET=${secret}\n`, { kmsKeyId: foreign.arn });
    const result = await runExec({
      env: NO_KEY,
      flags: ["--insecure-any-kms-key"],
      sources: [uri],
      command: PRINT_ENV,
    });
    expect(result.exitCode).toBe(0);
    expect((JSON.parse(result.stdout) as Record<string, string>).SECRET).toBe(secret);
    expect(result.stderr).toMatch(
      new RegExp(
        `^${escapeRegExp(ANY_KEY_WARNING)}\n` +
          `${escapeRegExp(`s3-kms-env: warn: ${uri} is under KMS key ${foreign.arn}, not checked against a trusted key`)}\n` +
          `s3-kms-env: loaded 1 variable \\(.* kms=${escapeRegExp(foreign.arn)} ms=\\d+\\)\n$`,
      ),
    );
    expect(result.stderr).not.toContain(secret);
  },
);

test.concurrent("--insecure-any-kms-key together with a trusted key is a usage error", async () => {
  const uri = await fx.put(`SECRET=${secret}\n`);
  const result = await runExec({ flags: ["--insecure-any-kms-key"], sources: [uri] });
  expectFailure(
    result,
    "USAGE",
    "give either trusted keys (--kms-key-id, S3_KMS_ENV_KMS_KEY_ID) or --insecure-any-kms-key, not both",
  );
});

test.concurrent(
  "--kms-key-id replaces S3_KMS_ENV_KMS_KEY_ID, whose alias is then not even looked up",
  async () => {
    const uri = await fx.put(`SECRET=${secret}\n`);
    const env = await execEnv({
      env: { S3_KMS_ENV_KMS_KEY_ID: "alias/no-such-alias-exec-trust" },
      flags: ["--kms-key-id", fx.kmsKey.arn],
      sources: [uri],
    });
    expect(env.SECRET).toBe(secret);
  },
);
