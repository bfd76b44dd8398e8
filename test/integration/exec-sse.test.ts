// `s3-kms-env exec` trusts an object only if S3 reports it SSE-KMS encrypted,
// and with --kms-key-id only under that key: writing it then took rights on
// the key, not just s3:PutObject.
import {
  ANY_KEY_WARNING,
  escapeRegExp,
  ExecFixture,
  execEnv,
  expectFailure,
  runExec,
  ScratchDir,
  untrustedKey,
} from "../support/exec";

const BODY = "DB_PASSWORD=from-the-file\n";
const UNENCRYPTED_WARNING =
  "s3-kms-env: warn: --insecure-allow-unencrypted: objects without SSE-KMS are accepted (development only)";

let fx: ExecFixture;
let scratch: ScratchDir;
let kmsUri: string;
let otherKey: { keyId: string; arn: string };
let otherKeyUri: string;
let alias: string;
let otherAlias: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-sse");
  scratch = new ScratchDir();
  otherKey = await fx.aws.createKmsKey({ description: "exec-sse other" });
  const suffix = fx.bucket.slice(-8);
  alias = await fx.aws.createAlias(`exec-sse-${suffix}`, fx.kmsKey.keyId);
  otherAlias = await fx.aws.createAlias(`exec-sse-other-${suffix}`, otherKey.keyId);
  kmsUri = await fx.put(BODY);
  otherKeyUri = await fx.put(BODY, { kmsKeyId: otherKey.arn });
});

afterAll(() => {
  fx.destroy();
  scratch.remove();
});

function notKms(uri: string, has: string): string {
  return (
    `${uri} is not encrypted with SSE-KMS (it has ${has}); refusing to trust it. ` +
    `Upload it with "s3-kms-env put"`
  );
}

function wrongKey(uri: string, actual: string, required: string): string {
  return untrustedKey(uri, actual, [required]);
}

describe("objects not encrypted with SSE-KMS", () => {
  test.concurrent("a planted plaintext object is refused and the app never runs", async () => {
    const uri = await fx.put("LD_PRELOAD=/tmp/evil.so\n", { sse: "none" });
    const app = scratch.marker();
    const result = await runExec({ sources: [uri], command: app.command });
    expectFailure(result, "NOT_KMS_ENCRYPTED", notKms(uri, "no server-side encryption"));
    expect(app.ran()).toBe(false);
  });

  test.concurrent("an SSE-S3 (AES256) object is refused and the app never runs", async () => {
    const uri = await fx.put(BODY, { sse: "AES256" });
    const app = scratch.marker();
    const result = await runExec({ sources: [uri], command: app.command });
    expectFailure(result, "NOT_KMS_ENCRYPTED", notKms(uri, "AES256"));
    expect(app.ran()).toBe(false);
  });

  test.concurrent("one plaintext source among SSE-KMS ones refuses the whole start", async () => {
    const plain = await fx.put("EXTRA=1\n", { sse: "none" });
    const app = scratch.marker();
    const result = await runExec({ sources: [kmsUri, plain], command: app.command });
    expectFailure(result, "NOT_KMS_ENCRYPTED", notKms(plain, "no server-side encryption"));
    expect(app.ran()).toBe(false);
  });

  test.concurrent.each([
    ["plaintext", "none"],
    ["SSE-S3", "AES256"],
  ] as const)(
    "--insecure-allow-unencrypted with no trusted key accepts a %s object, with warnings",
    async (_what, sse) => {
      const uri = await fx.put(BODY, { sse });
      const result = await runExec({
        env: { S3_KMS_ENV_KMS_KEY_ID: undefined },
        flags: ["--insecure-allow-unencrypted"],
        sources: [uri],
        command: ["/bin/sh", "-c", 'printf %s "$DB_PASSWORD"'],
      });
      expect(result).toMatchObject({ exitCode: 0, stdout: "from-the-file" });
      expect(result.stderr).toMatch(
        new RegExp(
          `^${escapeRegExp(UNENCRYPTED_WARNING)}\n${escapeRegExp(ANY_KEY_WARNING)}\ns3-kms-env: loaded 1 variable \\(.* kms=${sse} ms=\\d+\\)\n$`,
        ),
      );
    },
  );

  test.concurrent(
    "--insecure-allow-unencrypted does not lift a --kms-key-id requirement",
    async () => {
      const uri = await fx.put(BODY, { sse: "none" });
      const result = await runExec({
        flags: ["--insecure-allow-unencrypted", "--kms-key-id", fx.kmsKey.arn],
        sources: [uri],
      });
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toBe(
        `${UNENCRYPTED_WARNING}\n` +
          `s3-kms-env: error: ${notKms(uri, "no server-side encryption")} (code=NOT_KMS_ENCRYPTED)\n`,
      );
    },
  );
});

describe("--kms-key-id pins the key", () => {
  const forms: ReadonlyArray<readonly [string, () => string]> = [
    ["key id", () => fx.kmsKey.keyId],
    ["key ARN", () => fx.kmsKey.arn],
    ["alias name (alias/…)", () => alias],
    ["alias ARN", () => fx.kmsKey.arn.replace(/:key\/.*$/, `:${alias}`)],
  ];

  test.concurrent.each(forms)(
    "given as a %s, it accepts an object under that key",
    async (_form, id) => {
      const env = await execEnv({ flags: ["--kms-key-id", id()], sources: [kmsUri] });
      expect(env.DB_PASSWORD).toBe("from-the-file");
    },
  );

  test.concurrent.each(forms)(
    "given as a %s, it refuses an object under another key (WRONG_KMS_KEY)",
    async (form, id) => {
      const app = scratch.marker();
      const result = await runExec({
        flags: ["--kms-key-id", id()],
        sources: [otherKeyUri],
        command: app.command,
      });
      // An alias is resolved to its key's ARN; an id or ARN is reported as given.
      const required = form.startsWith("alias") ? fx.kmsKey.arn : id();
      expectFailure(result, "WRONG_KMS_KEY", wrongKey(otherKeyUri, otherKey.arn, required));
      expect(app.ran()).toBe(false);
    },
  );

  test.concurrent("S3_KMS_ENV_KMS_KEY_ID does the same as the flag", async () => {
    const result = await runExec({
      sources: [otherKeyUri],
      env: { S3_KMS_ENV_KMS_KEY_ID: fx.kmsKey.arn },
    });
    expectFailure(result, "WRONG_KMS_KEY", wrongKey(otherKeyUri, otherKey.arn, fx.kmsKey.arn));
  });

  test.concurrent("the flag overrides S3_KMS_ENV_KMS_KEY_ID", async () => {
    const env = await execEnv({
      flags: ["--kms-key-id", otherAlias],
      sources: [otherKeyUri],
      env: { S3_KMS_ENV_KMS_KEY_ID: fx.kmsKey.arn },
    });
    expect(env.DB_PASSWORD).toBe("from-the-file");
  });

  test.concurrent("every source must be under the key, the last included", async () => {
    const result = await runExec({
      flags: ["--kms-key-id", fx.kmsKey.keyId],
      sources: [kmsUri, otherKeyUri],
    });
    expectFailure(result, "WRONG_KMS_KEY", wrongKey(otherKeyUri, otherKey.arn, fx.kmsKey.keyId));
  });

  test.concurrent(
    "an alias that does not exist is an error before anything is fetched",
    async () => {
      const result = await runExec({
        flags: ["--kms-key-id", "alias/no-such-alias-exec-sse"],
        sources: [kmsUri],
      });
      expectFailure(
        result,
        "KMS_ERROR",
        "KMS key alias/no-such-alias-exec-sse does not exist in us-east-1",
      );
    },
  );

  test.concurrent("the tail of a key id is not the key id", async () => {
    const result = await runExec({
      flags: ["--kms-key-id", fx.kmsKey.keyId.slice(4)],
      sources: [kmsUri],
    });
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/\(code=WRONG_KMS_KEY\)\n$/);
  });
});
