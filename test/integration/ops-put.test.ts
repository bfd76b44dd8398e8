// put: what exec would refuse never uploads; what uploads is SSE-KMS under
// the chosen key, and the answer names the new version.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { uniqueBucket } from "../support/aws";
import { s3Error, type CannedResponse } from "../support/fault-proxy";
import {
  canary,
  errorLine,
  freshKey,
  generateDataKeyDenied,
  head,
  opsWorld,
  withS3Answer,
  type OpsWorld,
} from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";

let world: OpsWorld;
const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-put-"));

beforeAll(async () => {
  world = await opsWorld("put");
});
afterAll(() => world.aws.destroy());

function envFile(text: string): string {
  const file = path.join(dir, `${freshKey("f").replace("/", "-")}`);
  writeFileSync(file, text);
  return file;
}

async function exists(bucket: string, key: string): Promise<boolean> {
  return head(world.aws, bucket, key).then(
    () => true,
    () => false,
  );
}

describe("put", () => {
  test("uploads the file as written, SSE-KMS under the key, with a bucket key, and prints the version", async () => {
    const secret = canary("put");
    const text = `# database\nDB_PASSWORD='${secret}'\nDB_USER=app\n`;
    const key = freshKey();
    const result = await runCli([
      "put",
      envFile(text),
      `s3://${world.bucket}/${key}`,
      "--kms-key-id",
      world.key.arn,
    ]);

    const stored = await world.aws.getObject(world.bucket, key);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `uploaded s3://${world.bucket}/${key} (version=${stored.versionId} kms=${world.key.arn} variables=2)\n`,
      stderr: "",
    });
    expect(stored).toMatchObject({
      body: text,
      serverSideEncryption: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    expect((await head(world.aws, world.bucket, key)).BucketKeyEnabled).toBe(true);
    expectNoLeak(result, [secret]);
  });

  test("reads the file from stdin with -", async () => {
    const key = freshKey();
    const result = await runCli(
      ["put", "-", `s3://${world.bucket}/${key}`, "--kms-key-id", world.key.arn],
      {
        input: "A=1\n",
      },
    );
    expect(result.exitCode).toBe(0);
    expect((await world.aws.getObject(world.bucket, key)).body).toBe("A=1\n");
  });

  test("--json prints the upload's facts and no value", async () => {
    const secret = canary("json");
    const key = freshKey();
    const result = await runCli(
      ["put", "-", `s3://${world.bucket}/${key}`, "--kms-key-id", world.key.arn, "--json"],
      { input: `TOKEN=${secret}\n` },
    );
    const stored = await world.aws.getObject(world.bucket, key);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      uri: `s3://${world.bucket}/${key}`,
      versionId: stored.versionId,
      etag: stored.etag,
      kmsKeyArn: world.key.arn,
      variables: 1,
    });
    expectNoLeak(result, [secret]);
  });

  test("--no-bucket-key uploads without an S3 bucket key", async () => {
    const key = freshKey();
    const result = await runCli(
      ["put", "-", `s3://${world.bucket}/${key}`, "--kms-key-id", world.key.arn, "--no-bucket-key"],
      { input: "A=1\n" },
    );
    expect(result.exitCode).toBe(0);
    expect((await head(world.aws, world.bucket, key)).BucketKeyEnabled).toBe(false);
  });

  test("--bucket-default-key uploads SSE-KMS without naming a key", async () => {
    const key = freshKey();
    const result = await runCli(
      ["put", "-", `s3://${world.bucket}/${key}`, "--bucket-default-key"],
      {
        input: "A=1\n",
      },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/ kms=bucket default variables=1\)\n$/);
    expect((await head(world.aws, world.bucket, key)).ServerSideEncryption).toBe("aws:kms");
  });

  test("refuses to upload without --kms-key-id or --bucket-default-key", async () => {
    const key = freshKey();
    const result = await runCli(["put", "-", `s3://${world.bucket}/${key}`], { input: "A=1\n" });
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        "give --kms-key-id KEY (or --bucket-default-key to use the bucket's default KMS key)",
        "USAGE",
      ),
    });
    expect(await exists(world.bucket, key)).toBe(false);
  });

  test("refuses a name exec would refuse, and uploads nothing", async () => {
    const secret = canary("preload");
    const key = freshKey();
    const result = await runCli(
      ["put", "-", `s3://${world.bucket}/${key}`, "--kms-key-id", world.key.arn],
      {
        input: `LD_PRELOAD=/tmp/${secret}.so\n`,
      },
    );
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        "stdin sets LD_PRELOAD (would take over the app's runtime); refusing to upload. Allow it with --allow-name LD_PRELOAD if this is intended",
        "REFUSED_NAME",
      ),
    });
    expect(await exists(world.bucket, key)).toBe(false);
    expectNoLeak(result, [secret]);
  });

  test("uploads a refused name allowed with --allow-name, as exec would start it", async () => {
    const key = freshKey();
    const result = await runCli(
      [
        "put",
        "-",
        `s3://${world.bucket}/${key}`,
        "--kms-key-id",
        world.key.arn,
        "--allow-name",
        "NODE_OPTIONS",
      ],
      { input: "NODE_OPTIONS=--max-old-space-size=512\n" },
    );
    expect(result.exitCode).toBe(0);
  });

  test("refuses a file that does not parse, naming the line only", async () => {
    const secret = canary("bad");
    const key = freshKey();
    const file = envFile(`A=1\n${secret}\n`);
    const result = await runCli([
      "put",
      file,
      `s3://${world.bucket}/${key}`,
      "--kms-key-id",
      world.key.arn,
    ]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${file}: line 2: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*`,
        "PARSE",
      ),
    });
    expect(await exists(world.bucket, key)).toBe(false);
    expectNoLeak(result, [secret]);
  });

  test("refuses a file over --max-size", async () => {
    const result = await runCli(
      [
        "put",
        "-",
        `s3://${world.bucket}/${freshKey()}`,
        "--kms-key-id",
        world.key.arn,
        "--max-size",
        "8",
      ],
      { input: "A=123456789\n" },
    );
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        "stdin is over the 8-byte limit; raise --max-size if this is intended",
        "TOO_LARGE",
      ),
    });
  });

  test("reports a file it cannot read", async () => {
    const missing = path.join(dir, "missing.env");
    const result = await runCli([
      "put",
      missing,
      `s3://${world.bucket}/${freshKey()}`,
      "--kms-key-id",
      world.key.arn,
    ]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(`cannot read ${missing} (ENOENT)`, "CANNOT_READ_FILE"),
    });
  });

  test("refuses a bucket without versioning before writing anything", async () => {
    const key = freshKey();
    const uri = `s3://${world.plainBucket}/${key}`;
    const secret = canary("unversioned");
    const result = await runCli(["put", "-", uri, "--kms-key-id", world.key.arn], {
      input: `A=${secret}\n`,
    });
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `bucket ${world.plainBucket} has no versioning: a write to ${uri} would replace its content for good (no history, no rollback); nothing was written. Enable versioning on the bucket, or give --allow-unversioned`,
        "UNVERSIONED_BUCKET",
      ),
    });
    await expect(world.aws.getObject(world.plainBucket, key)).rejects.toThrow();
    expectNoLeak(result, [secret]);
  });

  test("refuses a bucket whose versioning is suspended", async () => {
    const bucket = await world.aws.createBucket(uniqueBucket("put-susp"), { versioning: true });
    await world.aws.s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: "Suspended" },
      }),
    );
    const uri = `s3://${bucket}/${freshKey()}`;
    const result = await runCli(["put", "-", uri, "--kms-key-id", world.key.arn], {
      input: "A=1\n",
    });
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `bucket ${bucket} has versioning suspended: a write to ${uri} would replace its content for good (no history, no rollback); nothing was written. Enable versioning on the bucket, or give --allow-unversioned`,
        "UNVERSIONED_BUCKET",
      ),
    });
  });

  test("--allow-unversioned writes, then warns that there is no rollback", async () => {
    const key = freshKey();
    const uri = `s3://${world.plainBucket}/${key}`;
    const result = await runCli(
      ["put", "-", uri, "--kms-key-id", world.key.arn, "--allow-unversioned"],
      { input: "A=1\n" },
    );
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `uploaded ${uri} (version=- kms=${world.key.arn} variables=1)\n`,
      stderr: `s3-kms-env: warn: bucket ${world.plainBucket} is not versioned: any previous content of ${uri} is gone for good (no rollback)\n`,
    });
    expect((await world.aws.getObject(world.plainBucket, key)).body).toBe("A=1\n");
  });

  test("--if-absent refuses to replace an existing object", async () => {
    const key = freshKey();
    const uri = `s3://${world.bucket}/${key}`;
    await world.aws.putEnvObject(world.bucket, key, "A=old\n", {
      sse: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    const result = await runCli(["put", "-", uri, "--kms-key-id", world.key.arn, "--if-absent"], {
      input: "A=new\n",
    });
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(`${uri} already exists (--if-absent); nothing was written`, "CONFLICT"),
    });
    expect((await world.aws.getObject(world.bucket, key)).body).toBe("A=old\n");
  });

  test("--if-match refuses to replace an object that changed since its ETag was read", async () => {
    const key = freshKey();
    const uri = `s3://${world.bucket}/${key}`;
    const first = await world.aws.putEnvObject(world.bucket, key, "A=1\n", {
      sse: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    await world.aws.putEnvObject(world.bucket, key, "A=2\n", {
      sse: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    const result = await runCli(
      ["put", "-", uri, "--kms-key-id", world.key.arn, "--if-match", first.etag ?? ""],
      {
        input: "A=3\n",
      },
    );
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} no longer has the ETag given with --if-match; nothing was written. Compare with "s3-kms-env diff" and retry`,
        "CONFLICT",
      ),
    });
    expect((await world.aws.getObject(world.bucket, key)).body).toBe("A=2\n");
  });
});

describe("put, when S3 cannot use the KMS key (fault proxy: moto's S3 never calls KMS)", () => {
  /** Runs put through a proxy that answers every PUT with `answer`. */
  function putAnswered(answer: CannedResponse, input = "A=1\n") {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    return withS3Answer("PUT", answer, async (endpoint) => ({
      uri,
      result: await runCli(["put", "-", uri, "--kms-key-id", world.key.arn], { input, endpoint }),
    }));
  }

  test("a role with s3:PutObject but no kms:GenerateDataKey gets KMS_ACCESS_DENIED", async () => {
    const secret = canary("denied");
    const { uri, result } = await putAnswered(
      generateDataKeyDenied(world.key.arn),
      `TOKEN=${secret}\n`,
    );
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${uri}: KMS denied kms:GenerateDataKey; grant kms:GenerateDataKey on the KMS key to this role (IAM policy and key policy)`,
        "KMS_ACCESS_DENIED",
      ),
    });
    expectNoLeak(result, [secret]);
  });

  test("a disabled key gets KMS_KEY_DISABLED", async () => {
    const { uri, result } = await putAnswered(
      s3Error(400, "KMS.DisabledException", `${world.key.arn} is disabled.`),
    );
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri}: the KMS key is disabled or pending deletion (KMS.DisabledException); enable the key or use another with --kms-key-id`,
        "KMS_KEY_DISABLED",
      ),
    });
  });

  test("S3's own refusal gets S3_ACCESS_DENIED", async () => {
    const { uri, result } = await putAnswered(s3Error(403, "AccessDenied", "Access Denied"));
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri}: access denied by S3 (s3:PutObject); check the role's policy and the bucket policy`,
        "S3_ACCESS_DENIED",
      ),
    });
  });
});
