// verify: exit 0 only for an object exec would accept; otherwise the reason.
import { s3KmsDisabled } from "../support/fault-proxy";
import { canary, errorLine, freshKey, opsWorld, withS3Answer, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";

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
      stderr: errorLine(
        `${uri} is encrypted with KMS key ${world.key.arn}, not the required ${world.otherKey.keyId}`,
        "WRONG_KMS_KEY",
      ),
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
        `${uri} sets NODE_OPTIONS, which can take over the app's runtime; refusing to start. Allow it with --allow-name NODE_OPTIONS if this is intended`,
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
});
