// `s3-kms-env exec` refuses a file that sets a name able to take over the
// app's runtime or redirect its traffic, unless that exact name is allowed.
import {
  canary,
  ExecFixture,
  execEnv,
  expectFailure,
  PRINT_ENV,
  runExec,
  ScratchDir,
} from "../support/exec";

let fx: ExecFixture;
let scratch: ScratchDir;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-policy");
  scratch = new ScratchDir();
});

afterAll(() => {
  fx.destroy();
  scratch.remove();
});

const RUNTIME = "would take over the app's runtime";
const TRAFFIC = "would redirect the app's traffic";
const AWS = "would redirect the app's AWS credentials or endpoints";

/** The exact refusal of src/policy/policy.ts for one name. */
function refused(uri: string, name: string, reason = RUNTIME): string {
  return (
    `${uri} sets ${name} (${reason}); refusing to start. ` +
    `Allow it with --allow-name ${name} if this is intended`
  );
}

describe("a file that sets a refused name", () => {
  // One of each kind; test/unit/policy.test.ts goes through the whole list.
  test.concurrent.each([
    ["LD_PRELOAD", RUNTIME],
    ["NODE_OPTIONS", RUNTIME],
    ["PATH", "would change which programs the app runs"],
    ["BASH_FUNC_ls", RUNTIME],
    ["https_proxy", TRAFFIC],
    ["AWS_ENDPOINT_URL", AWS],
    ["SSL_CERT_FILE", "would change whom the app's TLS trusts or expose its keys"],
    ["S3_KMS_ENV_URI", "would change s3-kms-env's own settings"],
  ])("%s: refused (REFUSED_NAME) and the app never runs", async (name, reason) => {
    const uri = await fx.put(`DB_USERNAME=app\n${name}=/tmp/x\n`);
    const app = scratch.marker();
    const result = await runExec({ sources: [uri], command: app.command });
    expectFailure(result, "REFUSED_NAME", refused(uri, name, reason));
    expect(app.ran()).toBe(false);
  });

  test.concurrent("every refused name in one line, each with its reason, no value", async () => {
    const secret = canary("refused");
    const uri = await fx.put(
      `NODE_OPTIONS=--require=/tmp/${secret}.js\nDB_USERNAME=app\nAWS_REGION=${secret}\nHTTPS_PROXY=http://${secret}\n`,
    );
    const app = scratch.marker();
    const result = await runExec({ sources: [uri], command: app.command });
    expectFailure(
      result,
      "REFUSED_NAME",
      `${uri} sets NODE_OPTIONS (${RUNTIME}), AWS_REGION (${AWS}), HTTPS_PROXY (${TRAFFIC}); ` +
        "refusing to start. Allow them with --allow-name NODE_OPTIONS,AWS_REGION,HTTPS_PROXY if this is intended",
    );
    expect(app.ran()).toBe(false);
  });

  test.concurrent("refused names in two sources: both sources, in one line", async () => {
    const first = await fx.put("LD_PRELOAD=/tmp/x.so\n");
    const second = await fx.put("http_proxy=http://proxy\nLD_PRELOAD=/tmp/y.so\n");
    const result = await runExec({ sources: [first, second] });
    expectFailure(
      result,
      "REFUSED_NAME",
      `${first} sets LD_PRELOAD (${RUNTIME}); ${second} sets http_proxy (${TRAFFIC}), LD_PRELOAD (${RUNTIME}); ` +
        "refusing to start. Allow them with --allow-name LD_PRELOAD,http_proxy if this is intended",
    );
  });

  test.concurrent("in a later source: that source is named", async () => {
    const first = await fx.put("DB_USERNAME=app\n");
    const second = await fx.put("NODE_OPTIONS=--require=/tmp/x.js\n");
    const result = await runExec({ sources: [first, second] });
    expectFailure(result, "REFUSED_NAME", refused(second, "NODE_OPTIONS"));
  });
});

describe("--allow-name", () => {
  let uri: string;

  beforeAll(async () => {
    uri = await fx.put("LD_LIBRARY_PATH=/opt/app/lib\nPYTHONPATH=/opt/app/py\nDB_USERNAME=app\n");
  });

  test.concurrent.each([
    ["repeated", ["--allow-name", "LD_LIBRARY_PATH", "--allow-name", "PYTHONPATH"], {}],
    ["comma-separated", ["--allow-name", "LD_LIBRARY_PATH,PYTHONPATH"], {}],
    ["as S3_KMS_ENV_ALLOW_NAMES", [], { S3_KMS_ENV_ALLOW_NAMES: "LD_LIBRARY_PATH, PYTHONPATH" }],
  ])("%s: the allowed names reach the app", async (_how, flags, env) => {
    const seen = await execEnv({ flags, sources: [uri], env });
    expect(seen).toMatchObject({
      LD_LIBRARY_PATH: "/opt/app/lib",
      PYTHONPATH: "/opt/app/py",
      DB_USERNAME: "app",
    });
  });

  test.concurrent("allowing one name does not allow another", async () => {
    const result = await runExec({ flags: ["--allow-name", "LD_LIBRARY_PATH"], sources: [uri] });
    expectFailure(result, "REFUSED_NAME", refused(uri, "PYTHONPATH"));
  });

  test.concurrent("a name is allowed exactly: a prefix allows nothing", async () => {
    const result = await runExec({
      flags: ["--allow-name", "LD_", "--allow-name", "PYTHONPATH"],
      sources: [uri],
    });
    expectFailure(result, "REFUSED_NAME", refused(uri, "LD_LIBRARY_PATH"));
  });

  test.concurrent("an allowed PATH is the one the command is looked up on", async () => {
    const bin = scratch.dir("bin");
    scratch.file("only-on-the-files-path", '#!/bin/sh\necho "found on $PATH"\n', 0o755, bin);
    const pathUri = await fx.put(`PATH=${bin}:/usr/bin:/bin\n`);
    const result = await runExec({
      flags: ["--allow-name", "PATH", "-q"],
      sources: [pathUri],
      command: ["only-on-the-files-path"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: `found on ${bin}:/usr/bin:/bin\n` });
  });
});

describe("names the policy does not cover", () => {
  test.concurrent("a refused name that --only leaves out does not stop the start", async () => {
    const uri = await fx.put("NODE_OPTIONS=--require=/tmp/x.js\nDB_USERNAME=app\n");
    const result = await runExec({
      flags: ["--only", "DB_USERNAME"],
      sources: [uri],
      command: PRINT_ENV,
    });
    const seen = JSON.parse(result.stdout) as Record<string, string>;
    expect(seen.DB_USERNAME).toBe("app");
    expect(seen).not.toHaveProperty("NODE_OPTIONS");
  });

  test.concurrent("refused names in the inherited environment pass through untouched", async () => {
    const uri = await fx.put("DB_USERNAME=app\n");
    const seen = await execEnv({ sources: [uri], env: { LD_LIBRARY_PATH: "/image/lib" } });
    expect(seen).toMatchObject({ LD_LIBRARY_PATH: "/image/lib", DB_USERNAME: "app" });
  });
});
