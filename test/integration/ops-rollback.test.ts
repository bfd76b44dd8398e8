// rollback: an older version becomes current again as a new version, under
// the current key, only if exec would accept it.
import {
  canary,
  errorLine,
  freshKey,
  opsWorld,
  PRECONDITION_FAILED,
  withS3Answer,
  type OpsWorld,
} from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";
import { untrustedKey } from "../support/exec";

let world: OpsWorld;

beforeAll(async () => {
  world = await opsWorld("rollback");
});
afterAll(() => world.aws.destroy());

/** An object whose versions hold `bodies` in order, each under `keys[i]` (default world.key). */
async function versions(bodies: string[], keys: string[] = []) {
  const key = freshKey();
  const ids: string[] = [];
  for (const [i, body] of bodies.entries()) {
    const sse = body.startsWith("#plain")
      ? ({ sse: "AES256" } as const)
      : ({ sse: "aws:kms", kmsKeyId: keys[i] ?? world.key.arn } as const);
    ids.push((await world.aws.putEnvObject(world.bucket, key, body, sse)).versionId ?? "");
  }
  return { key, uri: `s3://${world.bucket}/${key}`, ids };
}

describe("rollback", () => {
  test("copies an old version under a named trusted key on top, under the current key", async () => {
    const { key, uri, ids } = await versions(
      ["A=old\n", "A=new\n"],
      [world.key.arn, world.otherKey.arn],
    );
    const result = await runCli([
      "rollback",
      uri,
      "--version-id",
      ids[0] ?? "",
      "--trusted-kms-key-id",
      world.key.arn,
    ]);
    const now = await world.aws.getObject(world.bucket, key);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `restored ${uri} from version ${ids[0]} (version=${now.versionId} kms=${world.otherKey.arn} variables=1)\n`,
      stderr: "",
    });
    expect(now).toMatchObject({ body: "A=old\n", kmsKeyId: world.otherKey.arn });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(3);
  });

  test("does nothing when the version is already current", async () => {
    const { key, uri, ids } = await versions(["A=1\n"]);
    const result = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""]);
    expect(result.stdout).toBe(`unchanged ${uri} (version ${ids[0]} is already current)\n`);
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
  });

  test("writes nothing when the version holds the same bytes as the current one, and says so", async () => {
    const secret = canary("same");
    const { key, uri, ids } = await versions([`A=${secret}\n`, "A=2\n", `A=${secret}\n`]);
    const result = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""]);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `unchanged ${uri} (version ${ids[0]} is identical to the current version ${ids[2]}; nothing was written)\n`,
      stderr: "",
    });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(3);
    const json = await runCli(["rollback", uri, "--version-id", ids[0] ?? "", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ changed: false, identicalTo: ids[2] });
    expectNoLeak(result, [secret]);
    expectNoLeak(json, [secret]);
  });

  test("a version with the same variables but other bytes is restored", async () => {
    const { key, uri, ids } = await versions(["# old\nA=1\n", "A=1\n"]);
    const result = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""]);
    expect(result.stdout).toMatch(
      new RegExp(`^restored ${uri.replace(/[./]/g, "\\$&")} from version`),
    );
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(3);
  });

  test("refuses an old version exec would refuse, naming the line only", async () => {
    const secret = canary("old");
    const { key, uri, ids } = await versions([`broken ${secret}\n`, "A=1\n"]);
    const result = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri}?versionId=${ids[0]}: line 1: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*`,
        "PARSE",
      ),
    });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(2);
    expectNoLeak(result, [secret]);
  });

  test("refuses an old version that was not SSE-KMS encrypted", async () => {
    const { uri, ids } = await versions(["#plain\nA=1\n", "A=2\n"]);
    const result = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri}?versionId=${ids[0]} is not encrypted with SSE-KMS (it has AES256); refusing to trust it. Upload it with "s3-kms-env put"`,
        "NOT_KMS_ENCRYPTED",
      ),
    });
  });

  test("fails for a version that does not exist", async () => {
    const { uri } = await versions(["A=1\n"]);
    const result = await runCli(["rollback", uri, "--version-id", "no-such-version"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri}?versionId=no-such-version: no such object version`,
        "NO_SUCH_VERSION",
      ),
    });
  });

  test("requires --version-id", async () => {
    const result = await runCli(["rollback", `s3://${world.bucket}/x.env`]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine("give --version-id V (see s3-kms-env history)", "USAGE"),
    });
  });

  test("restores a deleted object only with --kms-key-id, there being no current key", async () => {
    const { key, uri, ids } = await versions(["A=1\n"]);
    await world.aws.deleteObject(world.bucket, key);
    const refused = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""]);
    expect(refused).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} has no current version (it was deleted), so there is no key to keep; give --kms-key-id to restore it under that key`,
        "NO_SUCH_KEY",
      ),
    });
    const restored = await runCli([
      "rollback",
      uri,
      "--version-id",
      ids[0] ?? "",
      "--kms-key-id",
      world.otherKey.arn,
      "--trusted-kms-key-id",
      world.key.arn,
    ]);
    expect(restored.exitCode).toBe(0);
    expect(await world.aws.getObject(world.bucket, key)).toMatchObject({
      body: "A=1\n",
      kmsKeyId: world.otherKey.arn,
    });
  });

  test("refuses when the current object is under another key than --kms-key-id", async () => {
    const { uri, ids } = await versions(["A=1\n", "A=2\n"]);
    const result = await runCli([
      "rollback",
      uri,
      "--version-id",
      ids[0] ?? "",
      "--kms-key-id",
      world.otherKey.arn,
    ]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${untrustedKey(uri, world.key.arn, [world.otherKey.arn])}; use rekey to change keys`,
        "WRONG_KMS_KEY",
      ),
    });
  });

  test("writes nothing when the object changed meanwhile (412 on the copy)", async () => {
    const { uri, ids } = await versions(["A=1\n", "A=2\n"]);
    await withS3Answer("PUT", PRECONDITION_FAILED, async (endpoint) => {
      const result = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""], {
        endpoint,
      });
      expect(result).toMatchObject({
        exitCode: 125,
        stderr: errorLine(
          `${uri} changed while rolling back; nothing was written. Check "s3-kms-env history" and run it again`,
          "CONFLICT",
        ),
      });
    });
  });

  test("refuses a version under a key that is not trusted, and writes nothing", async () => {
    const foreign = await world.aws.createKmsKey({ description: "rollback foreign" });
    const secret = canary("evil");
    const { key, uri, ids } = await versions(
      [`EVIL=${secret}\n`, "A=1\n"],
      [foreign.arn, world.key.arn],
    );
    const result = await runCli(["rollback", uri, "--version-id", ids[0] ?? ""]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        untrustedKey(`${uri}?versionId=${ids[0]}`, foreign.arn, [world.key.arn]),
        "WRONG_KMS_KEY",
      ),
    });
    expect(await world.aws.getObject(world.bucket, key)).toMatchObject({
      body: "A=1\n",
      kmsKeyId: world.key.arn,
    });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(2);
    expectNoLeak(result, [secret]);
  });
});
