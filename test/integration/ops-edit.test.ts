// edit: the decrypted file exists only in a private 0700 directory while the
// editor runs, and is gone afterwards whatever happens; only a file exec
// would accept is uploaded, and only over the version that was read.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  canary,
  errorLine,
  freshKey,
  generateDataKeyDenied,
  opsWorld,
  PRECONDITION_FAILED,
  withS3Answer,
  type OpsWorld,
} from "../support/ops";
import { CLI_PATH, cliEnv, expectNoLeak, nodeBinary, runCli, startCli } from "../support/run-cli";
import { untrustedKey } from "../support/exec";

let world: OpsWorld;
const scripts = mkdtempSync(path.join(tmpdir(), "s3-kms-env-editors-"));
const secret = canary("edit");
const original = `# app\nDB_PASSWORD='${secret}'\n`;

/** A fake editor: a shell script that records what it saw, then does `body` to the file ($f). */
function editor(name: string, body: string): string {
  const file = path.join(scripts, name);
  writeFileSync(
    file,
    `#!/bin/sh\nfor a; do f=$a; done\n` +
      `printf '%s\\n%s\\n%s\\n' "$f" "$(stat -c %a "$f")" "$(stat -c %a "$(dirname "$f")")" >> "$EDIT_LOG"\n` +
      body,
  );
  chmodSync(file, 0o755);
  return file;
}

const append = editor("append", `printf 'ADDED=1\\n' >> "$f"\n`);
const noop = editor("noop", "");
const crash = editor("crash", "kill -SEGV $$\n");
const invalid = editor("invalid", `printf 'not an assignment ${secret}\\n' >> "$f"\n`);
const removes = editor("removes", `rm "$f"\n`);
const hang = editor("hang", 'echo $$ >> "$EDIT_LOG"\nexec sleep 30\n');
// Breaks the file the first time, fixes it once edit's note is on top.
const fixesAfterNote = editor(
  "fixes-after-note",
  `if grep -q '^# s3-kms-env: ' "$f"; then sed -i '/^broken$/d' "$f"; printf 'FIXED=1\\n' >> "$f";` +
    ` else printf 'broken\\n' >> "$f"; fi\n`,
);

interface Seen {
  readonly file: string;
  readonly fileMode: string;
  readonly dirMode: string;
}

function editLog(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "s3-kms-env-editlog-")), "log");
}

function seen(log: string): Seen[] {
  const lines = readFileSync(log, "utf8").trim().split("\n");
  const out: Seen[] = [];
  for (let i = 0; i + 2 < lines.length; i += 3) {
    out.push({ file: lines[i] ?? "", fileMode: lines[i + 1] ?? "", dirMode: lines[i + 2] ?? "" });
  }
  return out;
}

async function stored(body = original) {
  const key = freshKey();
  const { versionId } = await world.aws.putEnvObject(world.bucket, key, body, {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  });
  return { key, uri: `s3://${world.bucket}/${key}`, versionId };
}

function edit(
  uri: string,
  editorPath: string,
  log: string,
  options: { env?: Record<string, string>; endpoint?: string } = {},
) {
  return runCli(["edit", uri], {
    env: { EDITOR: editorPath, EDIT_LOG: log, ...options.env },
    endpoint: options.endpoint,
  });
}

function expectGone(log: string): void {
  for (const s of seen(log)) {
    expect(existsSync(s.file)).toBe(false);
    expect(existsSync(path.dirname(s.file))).toBe(false);
  }
}

beforeAll(async () => {
  world = await opsWorld("edit");
});
afterAll(() => world.aws.destroy());

describe("edit", () => {
  test("uploads the edited file over the version read, keeping the key, and removes the copy", async () => {
    const { key, uri } = await stored();
    const log = editLog();
    const result = await edit(uri, append, log);
    const now = await world.aws.getObject(world.bucket, key);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `updated ${uri} (version=${now.versionId} variables=2)\n`,
      stderr: "",
    });
    expect(now).toMatchObject({ body: `${original}ADDED=1\n`, kmsKeyId: world.key.arn });
    expectNoLeak(result, [secret]);
    expectGone(log);
  });

  test("gives the editor a 0600 file in a 0700 directory, on /dev/shm when there is one", async () => {
    const { uri } = await stored();
    const log = editLog();
    await edit(uri, noop, log);
    const [s] = seen(log);
    expect(s).toMatchObject({ fileMode: "600", dirMode: "700" });
    if (existsSync("/dev/shm"))
      expect(s?.file).toMatch(/^\/dev\/shm\/s3-kms-env-[^/]+\/\d+-[0-9a-f]+\.env$/);
  });

  test("uploads nothing when the file is saved unchanged", async () => {
    const { key, uri, versionId } = await stored();
    const log = editLog();
    const result = await edit(uri, noop, log);
    expect(result.stdout).toBe(`unchanged ${uri} (version=${versionId} variables=1)\n`);
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
    expectGone(log);
  });

  test("prefers $VISUAL over $EDITOR, and passes the editor's own arguments without a shell", async () => {
    const { key, uri } = await stored();
    const log = editLog();
    const marker = path.join(scripts, "shell-ran");
    const result = await edit(uri, crash, log, {
      env: { VISUAL: `${append} --wait;touch ${marker}` },
    });
    expect(result.exitCode).toBe(0);
    expect((await world.aws.getObject(world.bucket, key)).body).toBe(`${original}ADDED=1\n`);
    expect(existsSync(marker)).toBe(false);
  });

  test("creates a missing object with --kms-key-id", async () => {
    const key = freshKey();
    const uri = `s3://${world.bucket}/${key}`;
    const log = editLog();
    const result = await runCli(["edit", uri, "--kms-key-id", world.key.arn], {
      env: { EDITOR: append, EDIT_LOG: log },
    });
    expect(result.stdout).toMatch(new RegExp(`^created ${uri} \\(version=\\S+ variables=1\\)\\n$`));
    expect(await world.aws.getObject(world.bucket, key)).toMatchObject({
      body: "ADDED=1\n",
      kmsKeyId: world.key.arn,
    });
  });

  test("refuses an object under a key S3_KMS_ENV_KMS_KEY_ID does not trust, before the editor opens", async () => {
    const key = freshKey();
    await world.aws.putEnvObject(world.bucket, key, original, {
      sse: "aws:kms",
      kmsKeyId: world.otherKey.arn,
    });
    const uri = `s3://${world.bucket}/${key}`;
    const log = editLog();
    const result = await edit(uri, append, log, {
      env: { S3_KMS_ENV_KMS_KEY_ID: world.key.arn },
    });
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(untrustedKey(uri, world.otherKey.arn, [world.key.arn]), "WRONG_KMS_KEY"),
    });
    expect(existsSync(log)).toBe(false);
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
    expectNoLeak(result, [secret]);
  });

  test("uploads nothing and removes the copy when the editor crashes", async () => {
    const { key, uri } = await stored();
    const log = editLog();
    const result = await edit(uri, crash, log);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine("the editor was killed by SIGSEGV; nothing was uploaded", "EDITOR_FAILED"),
    });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
    expectGone(log);
  });

  test("without a terminal and without VISUAL/EDITOR: refuses instead of starting vi", async () => {
    const { key, uri } = await stored();
    // runCli's stdin is a pipe and its environment has neither variable.
    const result = await runCli(["edit", uri], { env: { VISUAL: undefined, EDITOR: undefined } });
    expect(result).toEqual({
      exitCode: 125,
      signal: null,
      timedOut: false,
      stdout: "",
      stderr: errorLine(
        'no editor: VISUAL and EDITOR are unset and stdin is not a terminal, so vi cannot run; set VISUAL or EDITOR (e.g. EDITOR="code --wait"), or use get --reveal and put',
        "USAGE",
      ),
    });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
  });

  test("reports an editor that cannot be started, and leaves no directory behind", async () => {
    const { uri } = await stored();
    const before = existsSync("/dev/shm") ? readdirSync("/dev/shm") : [];
    const result = await edit(uri, "/nonexistent/editor", editLog());
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        'cannot start the editor "/nonexistent/editor" (ENOENT); set VISUAL or EDITOR',
        "EDITOR_FAILED",
      ),
    });
    if (existsSync("/dev/shm")) expect(readdirSync("/dev/shm")).toEqual(before);
  });

  test.each([".", ".."])(
    'refuses a key ending in "/%s" with BAD_URI before reading it',
    async (segment) => {
      const uri = `s3://${world.bucket}/${freshKey()}/${segment}`;
      const result = await edit(uri, "/bin/true", editLog());
      expect(result).toMatchObject({
        exitCode: 125,
        stdout: "",
        stderr: errorLine(
          `invalid source ${JSON.stringify(uri)}: the key ends in "/${segment}", which clients resolve as a path; edit the object under its plain key`,
          "BAD_URI",
        ),
      });
    },
  );

  test("uploads nothing when the editor deletes the file", async () => {
    const { key, uri } = await stored();
    const log = editLog();
    const result = await edit(uri, removes, log);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        "cannot read the edited file back (ENOENT); nothing was uploaded",
        "CANNOT_READ_FILE",
      ),
    });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
    expectGone(log);
  });

  test("without a terminal, fails on a file exec would refuse instead of re-opening it", async () => {
    const { key, uri } = await stored();
    const log = editLog();
    const result = await edit(uri, invalid, log);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: errorLine(
        `${uri}: line 3: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*`,
        "PARSE",
      ),
    });
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
    expectNoLeak(result, [secret]);
    expectGone(log);
    expect(seen(log)).toHaveLength(1);
  });

  test("at a terminal, re-opens the editor with the error on top until the file passes", async () => {
    const { key, uri } = await stored();
    const log = editLog();
    const command = [nodeBinary(), CLI_PATH, "edit", uri].map((w) => `'${w}'`).join(" ");
    // script(1) gives the CLI a pseudo-terminal as stdin, as a person has.
    const result = spawnSync("script", ["-qec", command, "/dev/null"], {
      env: cliEnv({ env: { EDITOR: fixesAfterNote, EDIT_LOG: log } }),
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `s3-kms-env: warn: ${uri}: line 3: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*; re-opening the editor (code=PARSE)`,
    );
    expect((await world.aws.getObject(world.bucket, key)).body).toBe(`${original}FIXED=1\n`);
    expect(seen(log)).toHaveLength(2);
    expectGone(log);
  });

  test("does not overwrite a change made while the editor was open", async () => {
    const { key, uri } = await stored();
    await withS3Answer("PUT", PRECONDITION_FAILED, async (endpoint) => {
      const log = editLog();
      const result = await edit(uri, append, log, { endpoint });
      expect(result).toMatchObject({
        exitCode: 125,
        stderr: errorLine(
          `${uri} was changed by someone else while you were editing; your edit was not uploaded. Run edit again`,
          "CONFLICT",
        ),
      });
      expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
      expectGone(log);
    });
  });

  test("removes the copy when the upload fails (no kms:GenerateDataKey)", async () => {
    const { uri } = await stored();
    await withS3Answer("PUT", generateDataKeyDenied(world.key.arn), async (endpoint) => {
      const log = editLog();
      const result = await edit(uri, append, log, { endpoint });
      expect(result).toMatchObject({
        exitCode: 125,
        stderr: errorLine(
          `${uri}: KMS denied kms:GenerateDataKey; grant kms:GenerateDataKey on the KMS key to this role (IAM policy and key policy)`,
          "KMS_ACCESS_DENIED",
        ),
      });
      expectNoLeak(result, [secret]);
      expectGone(log);
    });
  });

  test("on SIGTERM, removes the copy at once, stops the editor and uploads nothing", async () => {
    const { key, uri } = await stored();
    const log = editLog();
    const running = startCli(["edit", uri], { env: { EDITOR: hang, EDIT_LOG: log } });
    while (!existsSync(log) || readFileSync(log, "utf8").split("\n").length < 5) await sleep(20);
    running.child.kill("SIGTERM");
    const result = await running.result;
    expect(result).toMatchObject({
      exitCode: 143,
      stderr: errorLine(
        "interrupted by SIGTERM; nothing was uploaded and the decrypted copy was removed",
        "INTERRUPTED",
      ),
    });
    const editorPid = Number(readFileSync(log, "utf8").trim().split("\n")[3]);
    expect(() => process.kill(editorPid, 0)).toThrow();
    expect(await world.aws.listVersions(world.bucket, key)).toHaveLength(1);
    expectGone(log);
  });
});
