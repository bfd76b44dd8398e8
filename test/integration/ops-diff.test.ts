// diff: names added, removed and changed; values never shown; exit 0 same,
// 1 different, 125 error.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { canary, errorLine, freshKey, opsWorld, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";

let world: OpsWorld;
const oldSecret = canary("old");
const newSecret = canary("new");
const remote = `KEEP=same\nCHANGED=${oldSecret}\nGONE=1\n`;
const local = `KEEP=same\nCHANGED=${newSecret}\nADDED=1\n`;
let uri: string;
let file: string;

beforeAll(async () => {
  world = await opsWorld("diff");
  const key = freshKey();
  uri = `s3://${world.bucket}/${key}`;
  await world.aws.putEnvObject(world.bucket, key, remote, {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  });
  file = path.join(mkdtempSync(path.join(tmpdir(), "s3-kms-env-diff-")), "local.env");
  writeFileSync(file, local);
});
afterAll(() => world.aws.destroy());

describe("diff", () => {
  test("lists removed, added and changed names and exits 1", async () => {
    const result = await runCli(["diff", uri, file]);
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: "- GONE\n+ ADDED\n~ CHANGED\n",
      stderr: "",
    });
    expectNoLeak(result, [oldSecret, newSecret]);
  });

  test("exits 0 with no output when the two files hold the same variables", async () => {
    const result = await runCli(["diff", uri, "-"], {
      input: `GONE=1\nCHANGED=${oldSecret}\nKEEP=same\n`,
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
  });

  test("compares two objects, with --json", async () => {
    const key = freshKey();
    await world.aws.putEnvObject(world.bucket, key, local, {
      sse: "aws:kms",
      kmsKeyId: world.key.arn,
    });
    const result = await runCli(["diff", uri, `s3://${world.bucket}/${key}`, "--json"]);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      same: false,
      added: ["ADDED"],
      removed: ["GONE"],
      changed: ["CHANGED"],
      unchanged: 1,
    });
    expectNoLeak(result, [oldSecret, newSecret]);
  });

  test("exits 125 when a side cannot be read", async () => {
    const missing = `s3://${world.bucket}/${freshKey()}`;
    const result = await runCli(["diff", file, missing]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(`${missing} does not exist`, "NO_SUCH_KEY"),
    });
  });
});
