// The single executable (dist/s3-kms-env-linux-x64, `npm run build:binary`)
// where images have no Node: PATH and environment without any `node`. It
// builds nothing itself; `npm test` builds the binary before jest.
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { ExecFixture, runExec, ScratchDir } from "../support/exec";
import { startReceiver } from "../support/receiver";
import { BINARY_PATH, runCli, type RunCliOptions } from "../support/run-cli";

const { version } = JSON.parse(
  readFileSync(path.resolve(__dirname, "../../package.json"), "utf8"),
) as { version: string };

const DB_FILE = "DB_USERNAME=app_user\nDB_PASSWORD=s3cr3t-pw\n";
// What an app needs here, linked one by one: /usr/bin holds a `node` on these machines.
const TOOLS = ["/bin/sh", "/usr/bin/printenv"];

let fx: ExecFixture;
let scratch: ScratchDir;
let noNode: RunCliOptions;
let uri: string;

beforeAll(async () => {
  scratch = new ScratchDir();
  const bin = scratch.dir("bin");
  for (const tool of TOOLS) symlinkSync(tool, path.join(bin, path.basename(tool)));
  noNode = { executable: [BINARY_PATH], env: { PATH: bin } };
  fx = await ExecFixture.create("binary");
  uri = await fx.put(DB_FILE);
});

afterAll(() => {
  fx?.destroy();
  scratch?.remove();
});

// A missing binary fails the run (npm test builds it first); it is never a skip.
test("the single binary was built (npm run build:binary)", () => {
  expect(existsSync(BINARY_PATH)).toBe(true);
});

describe("single binary, no node anywhere", () => {
  test("the environment it runs in has no node on PATH", async () => {
    const result = await runExec({
      ...noNode,
      sources: [uri],
      command: ["sh", "-c", "command -v node || echo no-node"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "no-node\n" });
  });

  test("--version prints the package's version", async () => {
    const result = await runCli(["--version"], noNode);
    expect(result).toMatchObject({ exitCode: 0, stdout: `s3-kms-env ${version}\n` });
  });

  test("exec injects the file's variables and becomes the app", async () => {
    const result = await runExec({
      ...noNode,
      sources: [uri],
      command: ["printenv", "DB_PASSWORD"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
    expect(result.stderr).toMatch(/^s3-kms-env: loaded 2 variables /);
  });

  test("a missing object fails with 125 and its code, and the app never starts", async () => {
    const marker = scratch.marker();
    const missing = `s3://${fx.bucket}/binary/missing.env`;
    const result = await runExec({ ...noNode, sources: [missing], command: marker.command });
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/\(code=NO_SUCH_KEY\)\n$/);
    expect(marker.ran()).toBe(false);
  });

  test("a command not on PATH fails with 127", async () => {
    const result = await runExec({ ...noNode, sources: [uri], command: ["node", "-e", "0"] });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toMatch(/\(code=COMMAND_NOT_FOUND\)\n$/);
  });

  test("parts loaded on demand come from the binary's assets: an alias pin loads the KMS client", async () => {
    const alias = await fx.aws.createAlias(`binary-${Date.now()}`, fx.kmsKey.keyId);
    const ok = await runExec({
      ...noNode,
      flags: ["--kms-key-id", alias],
      sources: [uri],
      command: ["printenv", "DB_USERNAME"],
    });
    expect(ok).toMatchObject({ exitCode: 0, stdout: "app_user\n" });
  });

  test("the sealed chunk comes from the binary's assets: seal, then exec a sealed file:// source", async () => {
    const plain = scratch.file("binary.env", DB_FILE, 0o600);
    const sealed = await runCli(["seal", "-q", "--kms-key-id", fx.kmsKey.arn, plain], noNode);
    expect(sealed.exitCode).toBe(0);
    const file = scratch.file("binary.env.sealed", sealed.stdout, 0o644);
    const result = await runExec({
      ...noNode,
      sources: [`file://${file}`],
      command: ["printenv", "DB_PASSWORD"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
  });

  test("the ops commands come from the binary's assets too: get lists names", async () => {
    const result = await runCli(["get", uri], noNode);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^DB_USERNAME bytes=8$/m);
  });

  test("an ops write's caller comes from the STS client in the binary's assets", async () => {
    const target = await fx.put("A=1\n");
    const result = await runCli(["set", "--log-format", "json", target, "B=2"], noNode);
    expect(result.exitCode).toBe(0);
    const event = JSON.parse(result.stderr.trim()) as { caller?: { arn?: string } };
    expect(event.caller?.arn).toMatch(/^arn:aws:/);
  });

  test("--notify delivers the start's event from the binary", async () => {
    const receiver = await startReceiver();
    try {
      const result = await runExec({
        ...noNode,
        flags: ["--notify", receiver.url],
        sources: [uri],
      });
      expect(result.exitCode).toBe(0);
      expect(receiver.received.map((r) => r.headers["x-s3-kms-env-event"])).toEqual(["start"]);
    } finally {
      await receiver.close();
    }
  });

  test("an app's NODE_OPTIONS does not reach the binary itself", async () => {
    const result = await runExec({
      ...noNode,
      env: { ...noNode.env, NODE_OPTIONS: "--require /nonexistent/preload.js" },
      sources: [uri],
      command: ["printenv", "NODE_OPTIONS"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "--require /nonexistent/preload.js\n" });
  });

  test("a usage error exits 125 with one line", async () => {
    const result = await runCli(["exec", "--no-such-flag", uri, "--", "true"], noNode);
    expect(result).toMatchObject({ exitCode: 125, stdout: "" });
    expect(result.stderr).toMatch(/^s3-kms-env: error: [^\n]*\(code=USAGE\)\n$/);
  });
});
