// The ops commands on sealed objects (put --client-side): each reads the
// plaintext, each rewrite keeps the object sealed under its key (rekey:
// under the new one), and no value shows in any output.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { canary, errorLine, freshKey, opsWorld, type OpsWorld } from "../support/ops";
import { escapeRegExp } from "../support/exec";
import { expectNoLeak, runCli, type CliResult } from "../support/run-cli";

let world: OpsWorld;
let dir: string;
const a = canary("a");
const b = canary("b");
const canaries = [a, b];
const plaintext = `# sealed\nA=${a}\nB=${b}\n`;

/** Runs an ops command trusting world.key (readers and writers alike), and checks for leaks. */
async function ops(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCli(args, {
    env: { S3_KMS_ENV_KMS_KEY_ID: world.key.arn, ...env },
  });
  expectNoLeak(result, canaries);
  return result;
}

/** A sealed object holding `text`, with --context app=api; returns its URI. */
async function putSealed(text = plaintext): Promise<string> {
  const file = path.join(dir, `${freshKey("in").replace(/\//g, "-")}`);
  writeFileSync(file, text);
  const uri = `s3://${world.bucket}/${freshKey()}`;
  const result = await ops(["put", "-q", "--client-side", "--context", "app=api", file, uri]);
  expect(result.exitCode).toBe(0);
  return uri;
}

/** The stored body is a sealed message (base64 text), not the plaintext. */
async function expectStoredSealed(uri: string, kmsKey = world.key.arn): Promise<void> {
  const key = uri.slice(`s3://${world.bucket}/`.length);
  const stored = await world.aws.getObject(world.bucket, key);
  expect(stored.body).toMatch(/^AgV4[A-Za-z0-9+/]+={0,2}\n$/);
  expect(stored.kmsKeyId).toBe(kmsKey);
}

/** What exec-like reading sees now, through get --reveal --format json. */
async function revealed(uri: string, kmsKey = world.key.arn): Promise<Record<string, string>> {
  const result = await runCli([
    "get",
    "-q",
    "--reveal",
    "--format",
    "json",
    "--kms-key-id",
    kmsKey,
    "--context",
    "app=api",
    uri,
  ]);
  expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  return JSON.parse(result.stdout) as Record<string, string>;
}

/** An editor that appends EDITED=1 to the file it is given. */
function appendEditor(): string {
  const editor = path.join(dir, "append.sh");
  writeFileSync(editor, `#!/bin/sh\nprintf 'EDITED=1\\n' >> "$1"\n`);
  chmodSync(editor, 0o755);
  return editor;
}

/** The stored body of `uri`, as S3 holds it. */
async function storedBody(uri: string): Promise<string> {
  return (await world.aws.getObject(world.bucket, uri.slice(`s3://${world.bucket}/`.length))).body;
}

beforeAll(async () => {
  world = await opsWorld("ops-sealed");
  dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-ops-sealed-"));
});
afterAll(() => world.aws.destroy());

test("put --client-side's audit event names the key it was sealed under", async () => {
  const file = path.join(dir, "audit.env");
  writeFileSync(file, plaintext);
  const uri = `s3://${world.bucket}/${freshKey()}`;
  const result = await ops(["put", "--log-format", "json", "--client-side", file, uri]);
  const [event] = result.stderr
    .split("\n")
    .filter((line) => line.includes('"event"'))
    .map((line) => JSON.parse(line) as { sources: unknown[] });
  expect(event?.sources).toEqual([
    expect.objectContaining({ uri, kmsKeyArn: world.key.arn, sealedKmsKeyArn: world.key.arn }),
  ]);
});

describe("reading a sealed object", () => {
  test("get lists its names and lengths, and names the sealing key", async () => {
    const uri = await putSealed();
    const result = await ops(["get", uri]);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `A bytes=${a.length}\nB bytes=${b.length}\n`,
      stderr: expect.stringMatching(
        new RegExp(
          `^s3-kms-env: ${escapeRegExp(uri)} \\(version=\\S+ kms=${world.key.arn} sealed=${world.key.arn} variables=2\\)\n$`,
        ),
      ) as string,
    });
  });

  test("get --reveal prints the plaintext, comments and all", async () => {
    const uri = await putSealed();
    const result = await runCli(["get", "-q", "--reveal", "--kms-key-id", world.key.arn, uri]);
    expect(result).toMatchObject({ exitCode: 0, stdout: plaintext });
  });

  test("get refuses it when no key is named (a sealed object opens only under a named key)", async () => {
    const uri = await putSealed();
    const result = await runCli(["get", uri]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} is sealed, and no key is trusted to have sealed it; name it with --kms-key-id (or S3_KMS_ENV_KMS_KEY_ID), or give --discovery-account`,
        "SEALED_KEY_NOT_TRUSTED",
      ),
    });
  });

  test("diff compares it with a local file", async () => {
    const uri = await putSealed();
    const file = path.join(dir, "changed.env");
    writeFileSync(file, `A=${a}\nC=1\n`);
    const result = await ops(["diff", "-q", uri, file]);
    expect(result.stdout).toBe("- B\n+ C\n");
  });

  test("verify checks it as exec would read it", async () => {
    const uri = await putSealed();
    const result = await ops(["verify", uri]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^ok ${escapeRegExp(uri)} \\(version=\\S+ kms=${world.key.arn} sealed=${world.key.arn} variables=2\\)\n$`,
      ),
    );
  });

  test("history --diff compares its sealed versions", async () => {
    const uri = await putSealed();
    expect((await ops(["set", "-q", uri, "C=3"])).exitCode).toBe(0);
    const result = await ops(["history", "-q", uri, "--diff", "--json"]);
    const { versions } = JSON.parse(result.stdout) as { versions: { changes?: unknown }[] };
    expect(versions.map((v) => v.changes)).toEqual([
      { added: ["C"], removed: [], changed: [] },
      { added: ["A", "B"], removed: [], changed: [] },
    ]);
  });
});

describe("rewriting a sealed object keeps it sealed", () => {
  test("set", async () => {
    const uri = await putSealed();
    expect((await ops(["set", "-q", uri, "C=3"])).exitCode).toBe(0);
    await expectStoredSealed(uri);
    expect(await revealed(uri)).toEqual({ A: a, B: b, C: "3" });
  });

  test("unset", async () => {
    const uri = await putSealed();
    expect((await ops(["unset", "-q", uri, "B"])).exitCode).toBe(0);
    await expectStoredSealed(uri);
    expect(await revealed(uri)).toEqual({ A: a });
  });

  test("edit", async () => {
    const uri = await putSealed();
    expect((await ops(["edit", "-q", uri], { EDITOR: appendEditor() })).exitCode).toBe(0);
    await expectStoredSealed(uri);
    expect(await revealed(uri)).toEqual({ A: a, B: b, EDITED: "1" });
  });

  test("rollback", async () => {
    const uri = await putSealed();
    const first = (
      await world.aws.listVersions(world.bucket, uri.slice(`s3://${world.bucket}/`.length))
    )[0];
    expect((await ops(["set", "-q", uri, "C=3"])).exitCode).toBe(0);
    const result = await ops(["rollback", "-q", uri, "--version-id", first?.versionId ?? ""]);
    expect(result.exitCode).toBe(0);
    await expectStoredSealed(uri);
    expect(await revealed(uri)).toEqual({ A: a, B: b });
  });

  test("rekey re-wraps it under the new key: both layers", async () => {
    const uri = await putSealed();
    const result = await ops(["rekey", "-q", uri, "--kms-key-id", world.otherKey.arn]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^rekeyed ${escapeRegExp(uri)} \\(from=${world.key.arn} version=\\S+\\)\n$`),
    );
    await expectStoredSealed(uri, world.otherKey.arn);
    // Trusting only the new key opens it: it is no longer sealed under the old one.
    expect(await revealed(uri, world.otherKey.arn)).toEqual({ A: a, B: b });
  });
});

test("rekey --json names the key that opened a re-wrapped sealed object (sealedFrom)", async () => {
  const uri = await putSealed();
  const result = await ops(["rekey", "-q", "--json", uri, "--kms-key-id", world.otherKey.arn]);
  expect(JSON.parse(result.stdout)).toMatchObject({
    outcomes: [{ uri, action: "rekeyed", from: world.key.arn, sealedFrom: world.key.arn }],
  });
});

describe("set and edit --client-side create a sealed object", () => {
  test("set: sealed under the key, bound to the object and --context", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    const args = ["set", "-q", "--client-side", "--context", "app=api", uri, `A=${a}`];
    expect((await ops(args)).exitCode).toBe(0);
    await expectStoredSealed(uri);
    expect(await revealed(uri)).toEqual({ A: a });
  });

  test("edit: sealed under the key, bound to the object and --context", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    const args = ["edit", "-q", "--client-side", "--context", "app=api", uri];
    expect((await ops(args, { EDITOR: appendEditor() })).exitCode).toBe(0);
    await expectStoredSealed(uri);
    expect(await revealed(uri)).toEqual({ EDITED: "1" });
  });

  test("without it, set creates a plain object, as before", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    expect((await ops(["set", "-q", uri, "C=3"])).exitCode).toBe(0);
    expect(await storedBody(uri)).toBe("C=3\n");
  });

  test("set --client-side on an existing plain object is refused; nothing is written", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    expect((await ops(["set", "-q", uri, "C=3"])).exitCode).toBe(0);
    const result = await ops(["set", "--client-side", uri, `A=${a}`]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri} exists and is not sealed; --client-side seals only a new object (to seal this one, upload it again with "s3-kms-env put --client-side")`,
        "NOT_SEALED",
      ),
    });
    expect(await storedBody(uri)).toBe("C=3\n");
  });

  test("set --client-side on an existing plain object is refused even when nothing would change", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    expect((await ops(["set", "-q", uri, "C=3"])).exitCode).toBe(0);
    const result = await ops(["set", "--client-side", uri, "C=3"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: expect.stringContaining("(code=NOT_SEALED)") as string,
    });
  });

  test("--client-side with no key to seal under is a usage error", async () => {
    const uri = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["set", "--client-side", uri, `A=${a}`]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine("--client-side seals a new object under --kms-key-id: give it", "USAGE"),
    });
  });
});

describe("diff takes a sealed local file as either side", () => {
  /** `plaintext` sealed by seal (trusting world.key) with `extra` options; returns its path. */
  async function sealedFile(extra: readonly string[] = ["--context", "app=api"]): Promise<string> {
    const file = path.join(dir, `${freshKey("sealed").replace(/\//g, "-")}`);
    writeFileSync(`${file}.plain`, plaintext);
    const result = await ops(["seal", "-q", ...extra, `${file}.plain`, "-o", file]);
    expect(result.exitCode).toBe(0);
    return file;
  }

  /** A plain local file with A unchanged, B gone and C new. */
  function changedFile(): string {
    const file = path.join(dir, `${freshKey("changed").replace(/\//g, "-")}`);
    writeFileSync(file, `A=${a}\nC=1\n`);
    return file;
  }

  test("as A: opened under the trusted key, in its --context", async () => {
    const sealed = await sealedFile();
    const result = await ops(["diff", "-q", "--context", "app=api", sealed, changedFile()]);
    expect(result).toMatchObject({ exitCode: 1, stdout: "- B\n+ C\n", stderr: "" });
  });

  test("as B, from stdin", async () => {
    const sealed = await sealedFile();
    const result = await runCli(
      ["diff", "-q", "--context", "app=api", "--kms-key-id", world.key.arn, changedFile(), "-"],
      { input: readFileSync(sealed) },
    );
    expectNoLeak(result, canaries);
    expect(result).toMatchObject({ exitCode: 1, stdout: "- C\n+ B\n", stderr: "" });
  });

  test("with --s3-object, against the object it was sealed for: the same", async () => {
    const uri = await putSealed();
    const sealed = await sealedFile(["--context", "app=api", "--s3-object", uri]);
    const args = ["diff", "-q", "--context", "app=api", "--s3-object", uri, uri, sealed];
    expect(await ops(args)).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
  });

  test("under --discovery-account (moto's account) instead of a named key", async () => {
    const sealed = await sealedFile([]);
    const result = await runCli(
      ["diff", "-q", "--discovery-account", "123456789012", sealed, changedFile()],
      { env: { S3_KMS_ENV_KMS_KEY_ID: undefined } },
    );
    expectNoLeak(result, canaries);
    expect(result).toMatchObject({ exitCode: 1, stdout: "- B\n+ C\n" });
  });

  test("refused with no key trusted: SEALED_KEY_NOT_TRUSTED naming the file", async () => {
    const sealed = await sealedFile();
    const result = await runCli(["diff", "--context", "app=api", sealed, changedFile()]);
    expectNoLeak(result, canaries);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${sealed} is sealed, and no key is trusted to have sealed it; name it with --kms-key-id (or S3_KMS_ENV_KMS_KEY_ID), or give --discovery-account`,
        "SEALED_KEY_NOT_TRUSTED",
      ),
    });
  });

  test("refused in another context: SEALED_CONTEXT_MISMATCH", async () => {
    const sealed = await sealedFile();
    const result = await ops(["diff", "--context", "app=web", sealed, changedFile()]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: expect.stringContaining("(code=SEALED_CONTEXT_MISMATCH)") as string,
    });
  });

  test("refused when bound to another S3 object than --s3-object", async () => {
    const uri = await putSealed();
    const sealed = await sealedFile(["--context", "app=api", "--s3-object", `${uri}-other`]);
    const args = ["diff", "--context", "app=api", "--s3-object", uri, uri, sealed];
    expect(await ops(args)).toMatchObject({
      exitCode: 125,
      stderr: expect.stringContaining("(code=SEALED_CONTEXT_MISMATCH)") as string,
    });
  });
});
