// scripts/demo.sh runs twice in a row on the same server (the second run used
// to crash with a Node stack trace: the KMS alias already existed), against a
// moto of this test's own (DEMO_MOTO_URL: the demo starts nothing), and
// prints no value from the env files.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startMoto, type MotoServer } from "../support/moto";

const ROOT = path.resolve(__dirname, "../..");
// examples/demo.env's password, and the one the demo sets from stdin.
const VALUES = ["not-a-real-password#1", "rotated-fake-password"];

let moto: MotoServer;
let home: string;

beforeAll(async () => {
  moto = await startMoto();
  home = mkdtempSync(path.join(tmpdir(), "s3-kms-env-demo-"));
});

afterAll(async () => {
  await moto?.stop();
  rmSync(home, { recursive: true, force: true });
});

interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDemo(): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(ROOT, "scripts/demo.sh")], {
      // Nothing of the developer's AWS settings; dist/ is built before the tests.
      env: { PATH: process.env.PATH, HOME: home, DEMO_MOTO_URL: moto.url, DEMO_SKIP_BUILD: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("runs twice in a row: put, get, exec, two refusals, set + diff + history + rollback", async () => {
  for (const run of [1, 2]) {
    const demo = await runDemo();
    expect({ run, code: demo.code, stderr: demo.stderr }).toMatchObject({ run, code: 0 });
    const all = demo.stdout + demo.stderr;
    expect(all).not.toMatch(/^\s+at |Error:|node:internal/m);
    expect(demo.stdout).toMatch(
      /^uploaded s3:\/\/demo-bucket\/app\.env \(version=\S+ kms=arn:aws:kms:\S+ variables=3\)$/m,
    );
    expect(demo.stdout).toContain("DB_PASSWORD bytes=21\n");
    const pid1 = demo.stdout.includes("the app keeps s3-kms-env's PID 1");
    expect(demo.stdout).toMatch(
      new RegExp(
        `^app: PID ${pid1 ? "1" : "\\d+"}, DB_USERNAME=demo DB_HOSTNAME=db\\.internal, DB_PASSWORD has 21 characters$`,
        "m",
      ),
    );
    expect(demo.stderr).toContain(
      "s3-kms-env: error: s3://demo-bucket/planted.env is not encrypted with SSE-KMS (it has no server-side encryption); refusing to trust it.",
    );
    expect(demo.stderr).toContain(
      "s3-kms-env: error: stdin sets LD_PRELOAD (would take over the app's runtime); refusing to upload. Allow it with --allow-name LD_PRELOAD if this is intended (code=REFUSED_NAME)\n",
    );
    expect(demo.stdout).toContain("+ LOG_LEVEL\n~ DB_PASSWORD\n");
    expect(demo.stdout).toMatch(
      /^restored s3:\/\/demo-bucket\/app\.env from version \S+ \(version=\S+ kms=\S+ variables=3\)$/m,
    );
    expect(demo.stdout).toContain(`  export AWS_ENDPOINT_URL=${moto.url}\n`);
    expect(demo.stdout).not.toContain("scripts/moto.mjs stop");
    for (const value of VALUES) expect(all).not.toContain(value);
  }
}, 180_000);
