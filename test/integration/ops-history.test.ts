// history: versions and delete markers of exactly one key, newest first,
// with each version's KMS key.
import { setTimeout as sleep } from "node:timers/promises";
import { s3Error } from "../support/fault-proxy";
import { canary, errorLine, freshKey, opsWorld, withS3Answer, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";

let world: OpsWorld;

beforeAll(async () => {
  world = await opsWorld("history");
});
afterAll(() => world.aws.destroy());

const put = (bucket: string, key: string, body: string, kmsKeyId: string) =>
  world.aws.putEnvObject(bucket, key, body, { sse: "aws:kms", kmsKeyId });

describe("history", () => {
  test("lists versions newest first with size and KMS key, and delete markers (--json)", async () => {
    const key = freshKey();
    const v1 = await put(world.bucket, key, "A=1\n", world.key.arn);
    const v2 = await put(world.bucket, key, "A=22\n", world.otherKey.arn);
    await put(world.bucket, `${key}.bak`, "B=1\n", world.key.arn);
    await world.aws.deleteObject(world.bucket, key);
    const marker = (await world.aws.listVersions(world.bucket, key)).find((v) => v.deleteMarker);

    const result = await runCli(["history", `s3://${world.bucket}/${key}`, "--json"]);
    expect(result.exitCode).toBe(0);
    const { versions } = JSON.parse(result.stdout) as { versions: Record<string, unknown>[] };
    expect(versions.map(({ lastModified: _t, owner: _o, ...v }) => v)).toEqual([
      { versionId: marker?.versionId, isLatest: true, deleteMarker: true },
      {
        versionId: v2.versionId,
        isLatest: false,
        deleteMarker: false,
        size: 5,
        serverSideEncryption: "aws:kms",
        kmsKeyArn: world.otherKey.arn,
      },
      {
        versionId: v1.versionId,
        isLatest: false,
        deleteMarker: false,
        size: 4,
        serverSideEncryption: "aws:kms",
        kmsKeyArn: world.key.arn,
      },
    ]);
  });

  test("prints a table with the current version marked", async () => {
    const key = freshKey();
    const v1 = await put(world.bucket, key, "A=1\n", world.key.arn);
    const v2 = await put(world.bucket, key, "A=2\n", world.key.arn);
    const result = await runCli(["history", `s3://${world.bucket}/${key}`]);
    const rows = result.stdout.split("\n").map((l) => l.split(/ {2,}/));
    expect(rows[0]).toEqual(["", "VERSION", "MODIFIED", "SIZE", "KMS KEY", "OWNER"]);
    expect(rows[1]).toEqual([
      "*",
      v2.versionId,
      expect.stringMatching(/^\d{4}-/),
      "4 bytes",
      world.key.arn,
      expect.any(String),
    ]);
    expect(rows[2]?.slice(0, 2)).toEqual(["", v1.versionId]);
  });

  test("shows only the newest --limit versions", async () => {
    const key = freshKey();
    for (const n of [1, 2, 3]) await put(world.bucket, key, `A=${n}\n`, world.key.arn);
    const result = await runCli([
      "history",
      `s3://${world.bucket}/${key}`,
      "--limit",
      "2",
      "--json",
    ]);
    expect((JSON.parse(result.stdout) as { versions: unknown[] }).versions).toHaveLength(2);
  });

  test("shows the single null version of an unversioned bucket", async () => {
    const key = freshKey();
    await put(world.plainBucket, key, "A=1\n", world.key.arn);
    const result = await runCli(["history", `s3://${world.plainBucket}/${key}`, "--json"]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      versions: [{ versionId: "null", isLatest: true, kmsKeyArn: world.key.arn }],
    });
  });

  test("--diff: per version the names added, changed and removed, never a value", async () => {
    const key = freshKey();
    const uri = `s3://${world.bucket}/${key}`;
    const [a, b1, b2, c] = ["a", "b1", "b2", "c"].map((l) => canary(`hist-${l}`)) as [
      string,
      string,
      string,
      string,
    ];
    const v1 = await put(world.bucket, key, `A=${a}\nB=${b1}\n`, world.key.arn);
    const v2 = await put(world.bucket, key, `A=${a}\nB=${b2}\nC=${c}\n`, world.key.arn);
    const v3 = await put(
      world.bucket,
      key,
      `# only a comment changed\nA=${a}\nB=${b2}\nC=${c}\n`,
      world.key.arn,
    );
    const v4 = await put(world.bucket, key, `A=${a}\nC=${c}\n`, world.key.arn);
    // Versions and delete markers are ordered by their time, which S3 keeps to the second.
    await sleep(1100);
    await world.aws.deleteObject(world.bucket, key);
    await sleep(1100);
    const v5 = await world.aws.putEnvObject(world.bucket, key, `D=${a}\n`, { sse: "AES256" });
    const v6 = await put(world.bucket, key, `D=${a}\n`, world.key.arn);

    const json = await runCli(["history", uri, "--diff", "--json"]);
    expect(json).toMatchObject({ exitCode: 0, stderr: "" });
    const { versions } = JSON.parse(json.stdout) as {
      versions: { versionId: string; deleteMarker: boolean; changes?: unknown }[];
    };
    expect(versions.map((v) => [v.deleteMarker ? "marker" : v.versionId, v.changes])).toEqual([
      [v6.versionId, { error: "NOT_KMS_ENCRYPTED" }],
      [v5.versionId, { error: "NOT_KMS_ENCRYPTED" }],
      ["marker", undefined],
      [v4.versionId, { added: [], removed: ["B"], changed: [] }],
      [v3.versionId, { added: [], removed: [], changed: [] }],
      [v2.versionId, { added: ["C"], removed: [], changed: ["B"] }],
      [v1.versionId, { added: ["A", "B"], removed: [], changed: [] }],
    ]);
    expectNoLeak(json, [a, b1, b2, c]);

    // The oldest version shown is compared with the one before it, read for the purpose.
    await sleep(1100);
    await world.aws.deleteObject(world.bucket, key);
    const text = await runCli(["history", uri, "--diff", "--limit", "5"]);
    const rows = text.stdout
      .trimEnd()
      .split("\n")
      .map((l) => l.split(/ {2,}/));
    expect(rows[0]).toEqual(["", "VERSION", "MODIFIED", "SIZE", "KMS KEY", "OWNER", "CHANGES"]);
    expect(rows.slice(1).map((r) => r[6] ?? "")).toEqual([
      "",
      "cannot compare (NOT_KMS_ENCRYPTED)",
      "cannot compare (NOT_KMS_ENCRYPTED)",
      "",
      "-B",
    ]);
    const limited = await runCli(["history", uri, "--diff", "--limit", "6", "--json"]);
    expect(
      (JSON.parse(limited.stdout) as { versions: { changes?: unknown }[] }).versions.at(-1)
        ?.changes,
    ).toEqual({ added: [], removed: [], changed: [] });
    expectNoLeak(text, [a, b1, b2, c]);
  });

  test("fails for a key that never existed", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["history", uri]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(`${uri} has no versions`, "NO_SUCH_KEY"),
    });
  });

  test("names the missing permission when listing versions is denied", async () => {
    await withS3Answer("GET", s3Error(403, "AccessDenied", "Access Denied"), async (endpoint) => {
      const uri = `s3://${world.bucket}/${freshKey()}`;
      const result = await runCli(["history", uri], { endpoint });
      expect(result).toMatchObject({
        exitCode: 125,
        stderr: errorLine(
          `${uri}: access denied by S3 (s3:ListBucketVersions); check the role's policy and the bucket policy`,
          "S3_ACCESS_DENIED",
        ),
      });
    });
  });
});
