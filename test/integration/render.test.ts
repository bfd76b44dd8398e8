// render: exec's fetch, checks, parser and policy, written to a file on tmpfs,
// atomically; only the files' variables; never a value on stdout or stderr
// unless -o - --reveal.
import { spawnSync } from "node:child_process";
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEnvFile } from "../../src/envfile/parse";
import { canary, ExecFixture, expectFailure } from "../support/exec";
import { expectNoLeak, nodeBinary, runCli, type CliResult } from "../support/run-cli";

const TMPFS_MAGIC = 0x01021994;
const ROOT = path.resolve(__dirname, "../..");

let fx: ExecFixture;
let otherKey: { readonly arn: string };
let uri: string;
let shm: string;
let disk: string;
const password = canary("pw");
const token = canary("tok");
const inheritedSecret = canary("inh");
/** What the file must hold, in order: values that need each kind of quoting. */
const expected: Record<string, string> = {
  DB_USER: "app",
  DB_PASSWORD: password,
  API_TOKEN: `${token} it's "quoted"`,
  MULTI: `line one\n${token}\nline three`,
};
const body =
  `DB_USER=app\nDB_PASSWORD=${password}\n` +
  `API_TOKEN=\`${token} it's "quoted"\`\nMULTI="line one\\n${token}\\nline three"\n`;

/** A directory on a disk-backed filesystem: the system's temp dir, or the repository's. */
function diskDir(): string {
  for (const base of [tmpdir(), ROOT]) {
    if (statfsSync(base).type !== TMPFS_MAGIC) return mkdtempSync(path.join(base, ".render-test-"));
  }
  throw new Error("no disk-backed directory to test NOT_TMPFS with");
}

beforeAll(async () => {
  fx = await ExecFixture.create("render");
  otherKey = await fx.aws.createKmsKey({ description: "render-other" });
  uri = await fx.put(body);
  shm = mkdtempSync("/dev/shm/s3-kms-env-render-");
  disk = diskDir();
});

afterAll(() => {
  fx.destroy();
  rmSync(shm, { recursive: true, force: true });
  rmSync(disk, { recursive: true, force: true });
});

let count = 0;
const fresh = (dir: string, name = "app.env"): string => {
  count += 1;
  return path.join(dir, `${count}-${name}`);
};

function render(args: readonly string[]): Promise<CliResult> {
  return runCli(["render", "--kms-key-id", fx.kmsKey.arn, ...args], {
    env: { INHERITED_ONLY: inheritedSecret, S3_KMS_ENV_TIMEOUT: "10s" },
  });
}

const CANARIES = [password, token, inheritedSecret];

function wroteLine(target: string, n: number, format: string, versionedUri = uri): RegExp {
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(
    `^s3-kms-env: wrote ${n} variables to ${escaped(target)} \\(format=${format} sources=${escaped(versionedUri)} version=\\S+ kms=${escaped(fx.kmsKey.arn)} ms=\\d+\\)\\n$`,
  );
}

const mode = (file: string): number => statSync(file).mode & 0o777;

describe("render writes exactly the files' variables, mode 0600", () => {
  test("dotenv, read back identically by exec's parser", async () => {
    const target = fresh(shm);
    const result = await render([uri, "-o", target]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "" });
    expect(result.stderr).toMatch(wroteLine(target, 4, "dotenv"));
    expect(mode(target)).toBe(0o600);
    const parsed = parseEnvFile(readFileSync(target), target, 1 << 20);
    expect([...parsed.vars]).toEqual(Object.entries(expected));
    expect(readFileSync(target, "utf8")).not.toContain(inheritedSecret);
    expectNoLeak(result, CANARIES);
  });

  test("json", async () => {
    const target = fresh(shm, "app.json");
    const result = await render([uri, "-o", target, "--format", "json"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "" });
    expect(result.stderr).toMatch(wroteLine(target, 4, "json"));
    expect(mode(target)).toBe(0o600);
    expect(JSON.parse(readFileSync(target, "utf8"))).toEqual(expected);
    expectNoLeak(result, CANARIES);
  });

  test("shell: sourced by sh, the values are the same", async () => {
    const target = fresh(shm, "app.sh");
    const result = await render([uri, "-o", target, "--format", "shell"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "" });
    expect(mode(target)).toBe(0o600);
    const names = JSON.stringify(Object.keys(expected));
    const seen = spawnSync(
      "sh",
      [
        "-c",
        `. "$1" && exec "$2" -e 'const n=${names};process.stdout.write(JSON.stringify(Object.fromEntries(n.map(k=>[k,process.env[k]]))))'`,
        "sh",
        target,
        nodeBinary(),
      ],
      { encoding: "utf8", env: { PATH: process.env.PATH } },
    );
    expect(JSON.parse(seen.stdout)).toEqual(expected);
    expectNoLeak(result, CANARIES);
  });

  test("--only, --require and refused names are exec's, worded for a file", async () => {
    const target = fresh(shm);
    const result = await render([uri, "-o", target, "--only", "DB_USER", "--require", "DB_HOST"]);
    expectFailure(
      result,
      "MISSING_REQUIRED",
      "required name not set by any source: DB_HOST; refusing to write the file. " +
        "Set it in an env file (an inherited value does not count)",
    );
    expect(() => lstatSync(target)).toThrow(/ENOENT/);
    expect(readdirSync(shm)).not.toContain(path.basename(target));
  });

  test("--prefix takes a subset", async () => {
    const target = fresh(shm);
    const result = await render([uri, "-o", target, "--prefix", "DB_", "-q"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
    const parsed = parseEnvFile(readFileSync(target), target, 1 << 20);
    expect(Object.fromEntries(parsed.vars)).toEqual({ DB_USER: "app", DB_PASSWORD: password });
  });
});

describe("render refuses unsafe paths", () => {
  test("a symbolic link at PATH: UNSAFE_PATH, the link and its target untouched", async () => {
    const targetOfLink = fresh(shm, "real.env");
    writeFileSync(targetOfLink, "OLD=1\n", { mode: 0o644 });
    const link = fresh(shm, "link.env");
    symlinkSync(targetOfLink, link);
    const result = await render([uri, "-o", link]);
    expectFailure(
      result,
      "UNSAFE_PATH",
      `${link} is a symbolic link; refusing to follow it. Give the path of the file itself`,
    );
    expect(readlinkSync(link)).toBe(targetOfLink);
    expect(readFileSync(targetOfLink, "utf8")).toBe("OLD=1\n");
    expect(mode(targetOfLink)).toBe(0o644);
  });

  test("a directory on a disk-backed filesystem: NOT_TMPFS, naming the filesystem", async () => {
    const target = fresh(disk);
    const result = await render([uri, "-o", target]);
    expect(result).toMatchObject({ exitCode: 125, stdout: "" });
    expect(result.stderr).toMatch(
      new RegExp(
        `^s3-kms-env: error: ${disk.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is on \\S+ \\(0x[0-9a-f]+\\), not tmpfs or ramfs: ` +
          "the secrets would reach a disk\\. Write to an in-memory volume \\(Kubernetes emptyDir " +
          "with medium: Memory, /run/secrets, /dev/shm\\), or pass --allow-disk if this is intended " +
          "\\(code=NOT_TMPFS\\)\\n$",
      ),
    );
    expect(readdirSync(disk)).toEqual([]);
  });

  test("--allow-disk writes there", async () => {
    const target = fresh(disk);
    const result = await render([uri, "-o", target, "--allow-disk", "--format", "json"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "" });
    expect(JSON.parse(readFileSync(target, "utf8"))).toEqual(expected);
    expect(mode(target)).toBe(0o600);
    expectNoLeak(result, CANARIES);
  });
});

describe("render replaces PATH atomically", () => {
  test("an existing file is replaced by a new one, mode 0600, no temp file left", async () => {
    const dir = mkdtempSync(path.join(shm, "replace-"));
    const target = path.join(dir, "app.env");
    writeFileSync(target, "OLD=1\n", { mode: 0o644 });
    const before = statSync(target).ino;
    const result = await render([uri, "-o", target, "-q"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
    expect(statSync(target).ino).not.toBe(before);
    expect(mode(target)).toBe(0o600);
    expect([...parseEnvFile(readFileSync(target), target, 1 << 20).vars]).toEqual(
      Object.entries(expected),
    );
    expect(readdirSync(dir)).toEqual(["app.env"]);
  });

  test("a failed fetch (wrong key) leaves the old file as it was and no temp file", async () => {
    const dir = mkdtempSync(path.join(shm, "keep-"));
    const target = path.join(dir, "app.env");
    writeFileSync(target, "OLD=1\n", { mode: 0o640 });
    const wrong = await fx.put(body, { kmsKeyId: otherKey.arn });
    const result = await render([wrong, "-o", target]);
    expect(result).toMatchObject({ exitCode: 125, stdout: "" });
    expect(result.stderr).toContain("(code=WRONG_KMS_KEY)");
    expect(readFileSync(target, "utf8")).toBe("OLD=1\n");
    expect(mode(target)).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["app.env"]);
    expectNoLeak(result, CANARIES);
  });
});

describe("render and stdout", () => {
  test("-o - without --reveal is refused", async () => {
    const result = await render([uri, "-o", "-"]);
    expectFailure(
      result,
      "USAGE",
      "-o - prints the values on stdout; add --reveal if that is intended",
    );
  });

  test("-o - --reveal prints the dotenv text, and the info line names stdout", async () => {
    const result = await render([uri, "-o", "-", "--reveal"]);
    expect(result.exitCode).toBe(0);
    expect([...parseEnvFile(Buffer.from(result.stdout), "stdout", 1 << 20).vars]).toEqual(
      Object.entries(expected),
    );
    expect(result.stderr).toMatch(wroteLine("stdout", 4, "dotenv"));
    expectNoLeak({ stdout: "", stderr: result.stderr }, CANARIES);
  });

  test("without -o: a usage error, nothing fetched", async () => {
    const result = await render([uri]);
    expectFailure(
      result,
      "USAGE",
      "missing -o PATH: the file to write (or -o - --reveal for stdout)",
    );
  });

  test("--reveal with a file is refused", async () => {
    const result = await render([uri, "-o", fresh(shm), "--reveal"]);
    expectFailure(
      result,
      "USAGE",
      "--reveal applies only to -o - (stdout); a file is written without it",
    );
  });
});
