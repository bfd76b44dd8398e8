// Where this Node's process.execve is missing (before 22.15) or aborts the
// process when the kernel refuses (before 26.1, with a core dump holding the
// secrets), the app runs as a child with signals forwarded, and one line on
// stderr says so. The older Node is simulated with a preload that changes
// what the running Node reports about itself.
import { writeFileSync } from "node:fs";
import { ExecFixture, ScratchDir, runExec } from "../support/exec";

let fx: ExecFixture;
let scratch: ScratchDir;
let uri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-fallback");
  scratch = new ScratchDir();
  uri = await fx.put("DB_USERNAME=app\n");
});

afterAll(() => {
  fx.destroy();
  scratch.remove();
});

function preload(code: string): Record<string, string> {
  const file = scratch.freshPath("preload.cjs");
  writeFileSync(file, code);
  return { NODE_OPTIONS: `--require=${file}` };
}

// The app prints whether its parent is s3-kms-env (it runs as a child) or not
// (s3-kms-env became the app).
const APP = [
  "/bin/sh",
  "-c",
  'echo "$DB_USERNAME"; if grep -q s3-kms-env /proc/$PPID/cmdline; then echo child; else echo replaced; fi',
];

/** stderr without the "loaded N variables" line every start prints. */
const announcements = (stderr: string): string => stderr.replace(/^s3-kms-env: loaded .*\n/m, "");

test("a Node without process.execve: the app runs as a child, announced once", async () => {
  const env = preload("delete process.execve;");
  const result = await runExec({ sources: [uri], command: APP, env });
  expect({ ...result, stderr: announcements(result.stderr) }).toMatchObject({
    exitCode: 0,
    stdout: "app\nchild\n",
    stderr: `s3-kms-env: warn: Node ${process.versions.node} has no process.execve; the app runs as a child with signals forwarded (use Node >= 26.1 or the single binary)\n`,
  });
});

test("a Node whose execve aborts on failure (24.21): the app runs as a child, announced once", async () => {
  const env = preload('Object.defineProperty(process.versions, "node", { value: "24.21.0" });');
  const result = await runExec({ sources: [uri], command: APP, env });
  expect({ ...result, stderr: announcements(result.stderr) }).toMatchObject({
    exitCode: 0,
    stdout: "app\nchild\n",
    stderr:
      "s3-kms-env: warn: Node 24.21.0 aborts and may dump core when execve fails; the app runs as a child with signals forwarded (use Node >= 26.1 or the single binary)\n",
  });
});

test("Node 26.1 or later: no announcement, the app replaces s3-kms-env", async () => {
  const result = await runExec({ sources: [uri], command: APP });
  expect({ ...result, stderr: announcements(result.stderr) }).toMatchObject({
    exitCode: 0,
    stdout: "app\nreplaced\n",
    stderr: "",
  });
});
