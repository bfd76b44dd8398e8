// A reader that goes away (`s3-kms-env get … | head -1`, `--help | true`) is
// not s3-kms-env's failure: no internal error, no stack, the status it would
// have had. Node ignores SIGPIPE, so a write to a closed pipe is an EPIPE
// error, which must be dropped wherever stdout is written.
import { spawnSync } from "node:child_process";
import { ExecFixture } from "../support/exec";
import { CLI_PATH, cliEnv, nodeBinary } from "../support/run-cli";

let fx: ExecFixture;
let uri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("closed-stdout");
  uri = await fx.put("DB_USERNAME=app\n");
});

afterAll(() => fx.destroy());

// Python hands the CLI a pipe whose read end is already closed: every write fails with EPIPE.
const CLOSED_STDOUT = [
  "-c",
  "import os, subprocess, sys\n" +
    "r, w = os.pipe(); os.close(r)\n" +
    "p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)\n" +
    "sys.stdout.write(f'{p.returncode}\\n{p.stderr.decode()}')",
];

function withClosedStdout(args: readonly string[]): { status: string; stderr: string } {
  const run = spawnSync("python3", [...CLOSED_STDOUT, nodeBinary(), CLI_PATH, ...args], {
    env: cliEnv(),
    encoding: "utf8",
    timeout: 15_000,
  });
  const [status = "", ...stderr] = run.stdout.split("\n");
  return { status, stderr: stderr.join("\n") };
}

test.each([
  ["--help", ["--help"]],
  ["--version", ["--version"]],
  ["history --help", ["history", "--help"]],
])("%s into a closed pipe: exit 0, nothing on stderr", (_name, args) => {
  expect(withClosedStdout(args)).toEqual({ status: "0", stderr: "" });
});

test("get -q --json into a closed pipe: exit 0, nothing on stderr", () => {
  expect(withClosedStdout(["get", "-q", "--json", uri])).toEqual({ status: "0", stderr: "" });
});
