// put, set and verify check a file against exec's policy through the same
// code path: every refused name at once, in one line, names and reasons only,
// in words that fit the command.
import { canary, errorLine, freshKey, head, opsWorld, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";

let world: OpsWorld;

beforeAll(async () => {
  world = await opsWorld("refused");
});
afterAll(() => world.aws.destroy());

const SETS =
  "sets NODE_OPTIONS (would take over the app's runtime), " +
  "AWS_REGION (would redirect the app's AWS credentials or endpoints), " +
  "HTTPS_PROXY (would redirect the app's traffic)";
const ALLOW =
  "Allow them with --allow-name NODE_OPTIONS,AWS_REGION,HTTPS_PROXY if this is intended";

function file(secret: string): string {
  return `NODE_OPTIONS=--require=/tmp/${secret}.js\nDB_USER=app\nAWS_REGION=${secret}\nHTTPS_PROXY=http://${secret}\n`;
}

async function exists(key: string): Promise<boolean> {
  return head(world.aws, world.bucket, key).then(
    () => true,
    () => false,
  );
}

test.concurrent("put: one line naming all three; nothing uploaded", async () => {
  const secret = canary("put");
  const key = freshKey();
  const result = await runCli(
    ["put", "-", `s3://${world.bucket}/${key}`, "--kms-key-id", world.key.arn],
    { input: file(secret) },
  );
  expect(result).toMatchObject({
    exitCode: 125,
    stdout: "",
    stderr: errorLine(`stdin ${SETS}; refusing to upload. ${ALLOW}`, "REFUSED_NAME"),
  });
  expect(await exists(key)).toBe(false);
  expectNoLeak(result, [secret]);
});

test.concurrent("set: one line naming all three; nothing written", async () => {
  const secret = canary("set");
  const key = freshKey();
  const uri = `s3://${world.bucket}/${key}`;
  await world.aws.putEnvObject(world.bucket, key, "DB_USER=app\n", {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  });
  const result = await runCli([
    "set",
    uri,
    `NODE_OPTIONS=--require=/tmp/${secret}.js`,
    `AWS_REGION=${secret}`,
    `HTTPS_PROXY=http://${secret}`,
  ]);
  expect(result).toMatchObject({
    exitCode: 125,
    stdout: "",
    stderr: errorLine(
      `${uri} sets NODE_OPTIONS (would take over the app's runtime), ` +
        "AWS_REGION (would redirect the app's AWS credentials or endpoints), " +
        `HTTPS_PROXY (would redirect the app's traffic); refusing to upload. ${ALLOW}`,
      "REFUSED_NAME",
    ),
  });
  expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
  expectNoLeak(result, [secret]);
});

test.concurrent("verify: one line naming all three, as exec would refuse them", async () => {
  const secret = canary("verify");
  const key = freshKey();
  const uri = `s3://${world.bucket}/${key}`;
  await world.aws.putEnvObject(world.bucket, key, file(secret), {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  });
  const result = await runCli(["verify", uri]);
  expect(result).toMatchObject({
    exitCode: 125,
    stdout: `FAILED ${uri} (code=REFUSED_NAME)\n`,
    stderr: errorLine(`${uri} ${SETS}; would be refused at start. ${ALLOW}`, "REFUSED_NAME"),
  });
  expectNoLeak(result, [secret]);
});
