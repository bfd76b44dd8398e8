// Signals: with execve the app is the process s3-kms-env was (same PID), so a
// runtime's signals reach the app itself; with --spawn s3-kms-env forwards
// them and exits with the child's status. Either way the app starts with the
// signal dispositions a shell would give it.
import { ExecFixture, runExec } from "../support/exec";
import { startCli, waitForStdout } from "../support/run-cli";

let fx: ExecFixture;
let uri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-signals");
  uri = await fx.put("DB_USERNAME=app\n");
});

afterAll(() => fx.destroy());

/** An app that prints "ready", then on SIG<name> prints "got <name>" and exits with 7. */
function trapping(name: string): string[] {
  return [
    "/bin/sh",
    "-c",
    `trap 'echo got ${name}; exit 7' ${name}; echo ready; while :; do sleep 0.05; done`,
  ];
}

/** Starts exec with the app, waits for its "ready", sends `signal` to s3-kms-env's PID. */
async function signalled(flags: string[], app: string[], signal: NodeJS.Signals) {
  const running = startCli(["exec", "-q", ...flags, uri, "--", ...app]);
  await waitForStdout(running, "ready\n");
  running.child.kill(signal);
  return running.result;
}

/** SigIgn and SigBlk of the app, from its own /proc/self/status. */
async function signalMasks(flags: string[]): Promise<{ ignored: bigint; blocked: bigint }> {
  const result = await runExec({
    flags: ["-q", ...flags],
    sources: [uri],
    command: ["/bin/grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"],
  });
  expect(result.exitCode).toBe(0);
  const mask = (name: string): bigint =>
    BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, "m").exec(result.stdout)?.[1] ?? "x"}`);
  return { ignored: mask("SigIgn"), blocked: mask("SigBlk") };
}

const bit = (signal: number): bigint => 1n << BigInt(signal - 1);
const SIGPIPE = 13;
const SIGXFSZ = 25;

describe("with execve (the default)", () => {
  test.concurrent("the app has s3-kms-env's PID", async () => {
    const running = startCli(["exec", "-q", uri, "--", "/bin/sh", "-c", "echo $$"]);
    const result = await running.result;
    expect(result).toMatchObject({ exitCode: 0, stdout: `${running.child.pid}\n` });
  });

  test.concurrent.each(["TERM", "INT", "HUP", "USR1", "USR2"])(
    "SIG%s sent to that PID reaches the app's own handler",
    async (name) => {
      const result = await signalled([], trapping(name), `SIG${name}` as NodeJS.Signals);
      expect(result).toMatchObject({ exitCode: 7, stdout: `ready\ngot ${name}\n`, stderr: "" });
    },
  );

  test.concurrent(
    "SIGUSR1 kills an app without a handler, as it would without s3-kms-env",
    async () => {
      const result = await signalled([], ["/bin/sh", "-c", "echo ready; exec sleep 30"], "SIGUSR1");
      expect(result).toMatchObject({ exitCode: null, signal: "SIGUSR1" });
    },
  );

  test.concurrent(
    "SIGPIPE and SIGXFSZ are not ignored in the app (Node ignores them)",
    async () => {
      const { ignored } = await signalMasks([]);
      expect(ignored & bit(SIGPIPE)).toBe(0n);
      expect(ignored & bit(SIGXFSZ)).toBe(0n);
    },
  );

  test.concurrent("the app starts with no signal ignored or blocked", async () => {
    expect(await signalMasks([])).toEqual({ ignored: 0n, blocked: 0n });
  });

  test.concurrent("a pipeline in the app ends quietly: its writer dies of SIGPIPE", async () => {
    const result = await runExec({
      flags: ["-q"],
      sources: [uri],
      command: ["/bin/sh", "-c", "yes | head -n 1"],
    });
    expect(result).toEqual({
      exitCode: 0,
      signal: null,
      stdout: "y\n",
      stderr: "",
      timedOut: false,
    });
  });
});

describe("with --spawn", () => {
  test.concurrent("the app is a child: its PID is not s3-kms-env's", async () => {
    const running = startCli(["exec", "-q", "--spawn", uri, "--", "/bin/sh", "-c", "echo $$"]);
    const result = await running.result;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d+\n$/);
    expect(result.stdout).not.toBe(`${running.child.pid}\n`);
  });

  test.concurrent.each(["TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH"])(
    "SIG%s is forwarded to the app, and s3-kms-env exits with the app's status",
    async (name) => {
      const result = await signalled(["--spawn"], trapping(name), `SIG${name}` as NodeJS.Signals);
      expect(result).toMatchObject({
        exitCode: 7,
        signal: null,
        stdout: `ready\ngot ${name}\n`,
        stderr: "",
      });
    },
  );

  test.concurrent("an app killed by the forwarded SIGTERM: exit 143 (128+15)", async () => {
    const result = await signalled(
      ["--spawn"],
      ["/bin/sh", "-c", "echo ready; exec sleep 30"],
      "SIGTERM",
    );
    expect(result).toMatchObject({ exitCode: 143, signal: null, stderr: "" });
  });

  test.concurrent("SIGPIPE and SIGXFSZ are not ignored in the app", async () => {
    const { ignored } = await signalMasks(["--spawn"]);
    expect(ignored & bit(SIGPIPE)).toBe(0n);
    expect(ignored & bit(SIGXFSZ)).toBe(0n);
  });
});
