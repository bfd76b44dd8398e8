// The app must start exactly as it would without s3-kms-env in front of it:
// the same open file descriptors with the same flags (Node makes a piped
// stdio fd non-blocking, which would survive execve and give the app EAGAIN
// after 64 KiB to a slow reader), and the same resource limits except one
// that Node changes before any JavaScript runs (see README, "What the app
// inherits").
import { spawnSync } from "node:child_process";
import { ExecFixture } from "../support/exec";
import { CLI_PATH, cliEnv, nodeBinary } from "../support/run-cli";

let fx: ExecFixture;
let uri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-inherit");
  uri = await fx.put("DB_USERNAME=app\n");
});

afterAll(() => fx.destroy());

// The app reports the flags of fds 0-2, its open fds, and its limits.
const REPORT = [
  'for f in 0 1 2; do sed -n "s/^flags:[[:space:]]*/fd$f /p" /proc/self/fdinfo/$f; done',
  "ls /proc/self/fd | sort -n | tr '\\n' ' '; echo",
  "cat /proc/self/limits",
].join("; ");
const APP = ["/bin/sh", "-c", REPORT];

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** What APP reports when started by the shell line `wrap` makes around it, with and without exec. */
function seen(wrap: (command: string) => string, via: "s3-kms-env" | "directly"): string {
  const command =
    via === "directly"
      ? APP
      : [nodeBinary(), CLI_PATH, "exec", "-q", "--kms-key-id", fx.kmsKey.arn, uri, "--", ...APP];
  const run = spawnSync("/bin/sh", ["-c", wrap(command.map(quote).join(" "))], {
    env: cliEnv(),
    encoding: "utf8",
    timeout: 15_000,
  });
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
  return run.stdout.replace(/\r\n/g, "\n");
}

// O_LARGEFILE is dropped from the comparison: on a terminal libuv reopens the
// tty onto the same fd number, which adds that flag, and it means nothing on
// 64-bit Linux (every open file is large-file capable there).
const O_LARGEFILE = 0o100000;

const comparable = (report: string): string =>
  report
    .replace(/^Max open files.*\n/m, "")
    .replace(
      /^(fd\d) (\d+)$/gm,
      (_, fd: string, flags: string) => `${fd} ${(parseInt(flags, 8) & ~O_LARGEFILE).toString(8)}`,
    );

describe.each([
  ["pipes", (c: string) => `: | ${c} 2>&1 | cat`],
  ["files", (c: string) => `out=$(mktemp); ${c} </dev/null >"$out" 2>&1; cat "$out"; rm -f "$out"`],
  // script(1) gives the command a pseudo-terminal on fds 0-2.
  ["a terminal", (c: string) => `script -qec ${quote(c)} /dev/null </dev/null`],
])("stdin, stdout and stderr as %s", (_kind, wrap) => {
  test("the app sees the same fds with the same flags, and the same limits but one", () => {
    const direct = seen(wrap, "directly");
    expect(direct).toMatch(/^fd0 \d+\nfd1 \d+\nfd2 \d+\n/);
    expect(comparable(seen(wrap, "s3-kms-env"))).toBe(comparable(direct));
  });
});

test("the soft limit on open files is raised to the hard limit (Node does it at start; documented)", () => {
  const limits = (report: string): string[] =>
    /^Max open files\s+(\S+)\s+(\S+)/m.exec(report)?.slice(1, 3) ?? [];
  const wrap = (c: string): string => `ulimit -Sn 512; ${c}`;
  expect(limits(seen(wrap, "directly"))).toEqual(["512", expect.any(String) as string]);
  const [soft, hard] = limits(seen(wrap, "s3-kms-env"));
  expect(soft).toBe(hard);
});
