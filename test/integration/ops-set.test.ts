// set / unset: read-modify-write that keeps the object's key and never loses
// a concurrent update.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  canary,
  errorLine,
  freshKey,
  head,
  opsWorld,
  PRECONDITION_FAILED,
  withS3Answer,
  type OpsWorld,
} from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";
import { untrustedKey } from "../support/exec";

let world: OpsWorld;
const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-set-"));

beforeAll(async () => {
  world = await opsWorld("set");
});
afterAll(() => world.aws.destroy());

/** A stored object under world.key with a bucket key, as put leaves it. */
async function storedEnv(body: string, bucket = world.bucket) {
  const key = freshKey();
  await world.aws.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: world.key.arn,
      BucketKeyEnabled: true,
    }),
  );
  return { key, uri: `s3://${bucket}/${key}` };
}

const body = async (key: string, bucket = world.bucket) =>
  (await world.aws.getObject(bucket, key)).body;

describe("set", () => {
  test("changes and adds variables, keeping the others, the KMS key and the bucket key", async () => {
    const { key, uri } = await storedEnv("# note\nA=1\nB='two words'\n");
    const result = await runCli(["set", uri, "A=10", "C=three"]);
    const stored = await world.aws.getObject(world.bucket, key);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `updated ${uri} (version=${stored.versionId} variables=3)\n`,
      stderr: "",
    });
    expect(stored).toMatchObject({
      body: "# note\nA=10\nB='two words'\nC=three\n",
      serverSideEncryption: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    expect((await head(world.aws, world.bucket, key)).BucketKeyEnabled).toBe(true);
  });

  test("takes values from a file (NAME=@file) and stdin (NAME=-), keeping them out of the output", async () => {
    const fromFile = canary("file");
    const fromStdin = canary("stdin");
    const file = path.join(dir, "value.txt");
    writeFileSync(file, `${fromFile} with 'quotes'\n`);
    const { key, uri } = await storedEnv("A=1\n");
    const result = await runCli(["set", uri, `F=@${file}`, "S=-", "--json"], {
      input: `${fromStdin}\n`,
    });
    expect(result.exitCode).toBe(0);
    expect(await body(key)).toBe(`A=1\nF=\`${fromFile} with 'quotes'\`\nS=${fromStdin}\n`);
    expect(JSON.parse(result.stdout)).toMatchObject({ uri, changed: true, set: ["F", "S"] });
    expectNoLeak(result, [fromFile, fromStdin]);
  });

  test("NAME=@path that cannot be read names the variable, never the text after the @", async () => {
    const secret = `Sup3r${canary("at")}!`;
    const { key, uri } = await storedEnv("A=1\n");
    const result = await runCli(["set", uri, `API_KEY=@${secret}`]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        'cannot read the file given for API_KEY (ENOENT); for a value that starts with "@", write API_KEY=@@…',
        "CANNOT_READ_FILE",
      ),
    });
    expectNoLeak(result, [secret]);
    expect(await body(key)).toBe("A=1\n");
  });

  test("NAME=@@rest sets the literal value @rest", async () => {
    const secret = `Sup3r${canary("atat")}!`;
    const { key, uri } = await storedEnv("A=1\n");
    const result = await runCli(["set", uri, `API_KEY=@@${secret}`]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(await body(key)).toBe(`A=1\nAPI_KEY='@${secret}'\n`);
    expectNoLeak(result, [secret]);
  });

  test.each([
    ["an empty stdin", ""],
    ["a stdin with only a newline", "\n"],
  ])("NAME=- with %s is refused, not stored as an empty value", async (_, input) => {
    const { key, uri } = await storedEnv("A=1\nTOKEN=old\n");
    const result = await runCli(["set", uri, "TOKEN=-"], { input });
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        'stdin is empty, so TOKEN would be set to ""; nothing was written. To set an empty value, write TOKEN=',
        "USAGE",
      ),
    });
    expect(await body(key)).toBe("A=1\nTOKEN=old\n");
  });

  test("NAME= sets an empty value", async () => {
    const { key, uri } = await storedEnv("A=1\nTOKEN=old\n");
    const result = await runCli(["set", uri, "TOKEN="]);
    expect(result.exitCode).toBe(0);
    expect(await body(key)).toBe("A=1\nTOKEN=\n");
  });

  test("writes nothing when every value is already set", async () => {
    const { key, uri } = await storedEnv("A=1\n");
    const before = await world.aws.listVersions(world.bucket, key);
    const result = await runCli(["set", uri, "A=1"]);
    expect(result.stdout).toBe(`unchanged ${uri} (version=${before[0]?.versionId} variables=1)\n`);
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
  });

  test("creates a missing object with --kms-key-id", async () => {
    const key = freshKey();
    const uri = `s3://${world.bucket}/${key}`;
    const result = await runCli(["set", uri, "A=1", "--kms-key-id", world.otherKey.arn]);
    expect(result.stdout).toMatch(new RegExp(`^created ${uri} \\(version=\\S+ variables=1\\)\\n$`));
    expect(await world.aws.getObject(world.bucket, key)).toMatchObject({
      body: "A=1\n",
      kmsKeyId: world.otherKey.arn,
    });
  });

  test("does not create a missing object without a key", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["set", uri, "A=1"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} does not exist; give --kms-key-id (or --bucket-default-key) to create it`,
        "NO_SUCH_KEY",
      ),
    });
  });

  test("refuses an object under another key than --kms-key-id instead of moving it", async () => {
    const { uri } = await storedEnv("A=1\n");
    const result = await runCli(["set", uri, "A=2", "--kms-key-id", world.otherKey.arn]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(untrustedKey(uri, world.key.arn, [world.otherKey.arn]), "WRONG_KMS_KEY"),
    });
  });

  test.each(["set", "unset"])(
    "%s refuses an object under a key --trusted-kms-key-id does not name, and writes nothing",
    async (command) => {
      const secret = canary("planted");
      const key = freshKey();
      await world.aws.putEnvObject(world.bucket, key, `A=${secret}\n`, {
        sse: "aws:kms",
        kmsKeyId: world.otherKey.arn,
      });
      const uri = `s3://${world.bucket}/${key}`;
      const change = command === "set" ? "B=2" : "A";
      const result = await runCli([command, uri, change, "--trusted-kms-key-id", world.key.arn]);
      expect(result).toMatchObject({
        exitCode: 125,
        stdout: "",
        stderr: errorLine(untrustedKey(uri, world.otherKey.arn, [world.key.arn]), "WRONG_KMS_KEY"),
      });
      expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
      expectNoLeak(result, [secret]);
    },
  );

  test("refuses to set a name exec would refuse, and writes nothing", async () => {
    const { key, uri } = await storedEnv("A=1\n");
    const result = await runCli(["set", uri, "LD_PRELOAD=/tmp/x.so"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} sets LD_PRELOAD (would take over the app's runtime); refusing to upload. Allow it with --allow-name LD_PRELOAD if this is intended`,
        "REFUSED_NAME",
      ),
    });
    expect(await body(key)).toBe("A=1\n");
  });

  test("refuses a value no dotenv quoting can hold, naming only the variable", async () => {
    const { uri } = await storedEnv("A=1\n");
    const result = await runCli(["set", uri, "X=-"], { input: "'a\"b`c" });
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        "the value of X cannot be written to a dotenv file: no dotenv quoting can hold it (it mixes all three quote characters, or has a backslash together with a double quote, a carriage return, a line break or white space at either end)",
        "NOT_REPRESENTABLE",
      ),
    });
  });

  test("refuses a value with a $ that only double quotes could hold: exec --expand would change it", async () => {
    const { key, uri } = await storedEnv("A=1\n");
    const result = await runCli(["set", uri, "X=-"], { input: "it's `x` $HOME" });
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        "the value of X cannot be written to a dotenv file: it contains a $, which only single or back quotes keep literal under exec --expand, and it cannot be single- or back-quoted (it has both ' and `, a carriage return or a trailing backslash)",
        "NOT_REPRESENTABLE",
      ),
    });
    expect(await body(key)).toBe("A=1\n");
  });

  test("a value with a $ that set writes reaches the app unchanged under exec --expand", async () => {
    const { uri } = await storedEnv("A=1\n");
    const value = "it's $HOME and ${A}";
    expect((await runCli(["set", uri, "V=-"], { input: value })).exitCode).toBe(0);
    const result = await runCli(["exec", "-q", "--expand", uri, "--", "printenv", "V"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${value}\n`, stderr: "" });
  });

  test("rejects an argument that is not NAME=…, without echoing it", async () => {
    const secret = canary("arg");
    const result = await runCli(["set", `s3://${world.bucket}/x.env`, secret]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine("argument 1 is not NAME=value, NAME=@file or NAME=-", "USAGE"),
    });
    expectNoLeak(result, [secret]);
  });

  test("refuses a plaintext object: there is no key to keep", async () => {
    const key = freshKey();
    await world.aws.putEnvObject(world.bucket, key, "A=1\n", { sse: "AES256" });
    const uri = `s3://${world.bucket}/${key}`;
    const result = await runCli(["set", uri, "A=2"]);
    expect(result.stderr).toBe(
      errorLine(
        `${uri} is not encrypted with SSE-KMS (it has AES256); refusing to trust it. Upload it with "s3-kms-env put"`,
        "NOT_KMS_ENCRYPTED",
      ),
    );
  });

  // --kms-key-id would not help: with it, the plaintext object is refused on read.
  test.each(["set", "unset"])(
    "%s of a plaintext object allowed with --insecure-allow-unencrypted points to put",
    async (command) => {
      const key = freshKey();
      await world.aws.putEnvObject(world.bucket, key, "A=1\n", { sse: "AES256" });
      const uri = `s3://${world.bucket}/${key}`;
      const change = command === "set" ? "A=2" : "A";
      const result = await runCli([command, uri, change, "--insecure-allow-unencrypted"]);
      expect(result).toMatchObject({
        exitCode: 125,
        stdout: "",
        stderr: errorLine(
          `${uri} is not SSE-KMS encrypted, so it has no key to keep; check its content and upload it with "s3-kms-env put"`,
          "NOT_KMS_ENCRYPTED",
        ),
      });
    },
  );

  test("refuses a bucket without versioning before writing; --allow-unversioned writes and warns", async () => {
    const { key, uri } = await storedEnv("A=1\n", world.plainBucket);
    const refused = await runCli(["set", uri, "A=2"]);
    expect(refused).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `bucket ${world.plainBucket} has no versioning: a write to ${uri} would replace its content for good (no history, no rollback); nothing was written. Enable versioning on the bucket, or give --allow-unversioned`,
        "UNVERSIONED_BUCKET",
      ),
    });
    const unset = await runCli(["unset", uri, "A"]);
    expect(unset).toMatchObject({
      exitCode: 125,
      stderr: expect.stringContaining("(code=UNVERSIONED_BUCKET)") as string,
    });
    expect(await body(key, world.plainBucket)).toBe("A=1\n");
    const allowed = await runCli(["set", uri, "A=2", "--allow-unversioned"]);
    expect(allowed).toMatchObject({
      exitCode: 0,
      stderr: `s3-kms-env: warn: bucket ${world.plainBucket} is not versioned: any previous content of ${uri} is gone for good (no rollback)\n`,
    });
    expect(await body(key, world.plainBucket)).toBe("A=2\n");
  });

  test("a first write with --allow-unversioned does not speak of previous content", async () => {
    const uri = `s3://${world.plainBucket}/${freshKey()}`;
    const result = await runCli([
      "set",
      uri,
      "A=1",
      "--kms-key-id",
      world.key.arn,
      "--allow-unversioned",
    ]);
    expect(result).toMatchObject({
      exitCode: 0,
      stderr: `s3-kms-env: warn: bucket ${world.plainBucket} is not versioned: ${uri} keeps no history, so this write cannot be rolled back\n`,
    });
  });
});

describe("set and unset keep the file as written", () => {
  test("comments, blank lines, export and order stay; a changed multi-line value is replaced whole; a new name goes last", async () => {
    const secret = canary("kept");
    const { key, uri } = await storedEnv(
      `# database\nexport DB_HOST=db.internal\n\n# ${secret} in a comment\nCERT="line1\nline2"\nA=1 # trailing\n`,
    );
    const set = await runCli(["set", uri, "CERT=one", "NEW=x"]);
    expect(set).toMatchObject({ exitCode: 0, stderr: "" });
    expect(await body(key)).toBe(
      `# database\nexport DB_HOST=db.internal\n\n# ${secret} in a comment\nCERT=one\nA=1 # trailing\nNEW=x\n`,
    );
    const unset = await runCli(["unset", uri, "DB_HOST", "CERT"]);
    expect(unset).toMatchObject({ exitCode: 0, stderr: "" });
    expect(await body(key)).toBe(`# database\n\n# ${secret} in a comment\nA=1 # trailing\nNEW=x\n`);
    expectNoLeak(set, [secret]);
    expectNoLeak(unset, [secret]);
  });
});

describe("unknown options", () => {
  test("a mistyped option of set is one line naming the closest of set's options", async () => {
    const secret = canary("opt");
    const result = await runCli([
      "set",
      `s3://${world.bucket}/x.env`,
      `--allow-unversion=${secret}`,
    ]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        "unknown option --allow-unversion; did you mean --allow-unversioned? (see --help)",
        "USAGE",
      ),
    });
    expectNoLeak(result, [secret]);
  });
});

describe("unset", () => {
  test("removes variables and names the ones that were not there", async () => {
    const { key, uri } = await storedEnv("A=1\nB=2\nC=3\n");
    const result = await runCli(["unset", uri, "B", "Z"]);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: expect.stringMatching(/^updated .* variables=2\)\n$/) as string,
      stderr: `s3-kms-env: warn: not in ${uri} (names=Z)\n`,
    });
    expect(await body(key)).toBe("A=1\nC=3\n");
  });

  test("fails on a missing object", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["unset", uri, "A"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(`${uri} does not exist`, "NO_SUCH_KEY"),
    });
  });
});

describe("concurrent writers", () => {
  test("20 concurrent sets, each adding its own name: all succeed and every name is there", async () => {
    const { key, uri } = await storedEnv("BASE=1\n");
    const names = Array.from({ length: 20 }, (_, i) => `N${i}`);
    const results = await Promise.all(
      names.map((name) =>
        runCli(["set", "-q", uri, `${name}=${name.toLowerCase()}`], { timeoutMs: 60_000 }),
      ),
    );
    expect(results.map((r) => [r.exitCode, r.stderr])).toEqual(names.map(() => [0, ""]));
    // Each name lands where its writer won the race: compare as sets of lines.
    const lines = (await body(key)).split("\n").filter((l) => l !== "");
    expect(lines.sort()).toEqual(["BASE=1", ...names.map((n) => `${n}=${n.toLowerCase()}`)].sort());
  }, 90_000);

  test("gives up with CONFLICT after --max-attempts when the object keeps changing", async () => {
    const { key, uri } = await storedEnv("A=1\n");
    await withS3Answer("PUT", PRECONDITION_FAILED, async (endpoint, proxy) => {
      const result = await runCli(["set", uri, "A=2", "--max-attempts", "3"], {
        endpoint,
      });
      expect(result).toMatchObject({
        exitCode: 125,
        stdout: "",
        stderr: errorLine(
          `${uri} kept changing under other writers; gave up after 3 attempts and wrote nothing. Run the command again`,
          "CONFLICT",
        ),
      });
      expect(proxy.requests.filter((r) => r.method === "PUT")).toHaveLength(3);
      expect(await body(key)).toBe("A=1\n");
    });
  });
});
