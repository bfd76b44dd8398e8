// As a container's entrypoint s3-kms-env is PID 1 and, after execve, the app
// is: no Node process stays behind, and the signals a runtime sends to PID 1
// reach the app. `unshare --pid --fork --mount-proc` makes a PID namespace
// whose first process is s3-kms-env, as in a container.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ExecFixture } from "../support/exec";
import { runCli, startCli, waitForStdout } from "../support/run-cli";
import { onlyChild, UNSHARE } from "../support/pid1";

/** Why PID namespaces cannot be used here, or undefined when they can. */
function unshareRefusal(): string | undefined {
  const probe = spawnSync(UNSHARE[0] ?? "", [...UNSHARE.slice(1), "/bin/true"], {
    encoding: "utf8",
  });
  const denied = /Operation not permitted|Permission denied/.test(probe.stderr ?? "");
  return probe.status !== 0 && denied ? probe.stderr.trim() : undefined;
}

const refusal = unshareRefusal();
const describeWithPidNamespaces = refusal === undefined ? describe : describe.skip;
if (refusal !== undefined) {
  // Only a lack of privileges skips; any other unshare failure fails the tests.
  console.warn(`exec-pid1 skipped: unshare cannot create a PID namespace here (${refusal})`);
}

let fx: ExecFixture;
let uri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-pid1");
  uri = await fx.put("DB_USERNAME=app\n");
});

afterAll(() => fx.destroy());

describeWithPidNamespaces("s3-kms-env as PID 1 of a PID namespace", () => {
  test.concurrent("the app becomes PID 1", async () => {
    const result = await runCli(["exec", "-q", uri, "--", "/bin/sh", "-c", "echo $$"], {
      wrapper: UNSHARE,
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "1\n", stderr: "" });
  });

  test.concurrent(
    "no Node process is left in the namespace: only the app and what it runs",
    async () => {
      const result = await runCli(
        ["exec", "-q", uri, "--", "/bin/sh", "-c", "ps -e -o pid=,comm="],
        { wrapper: UNSHARE },
      );
      expect(result.exitCode).toBe(0);
      const table = result.stdout
        .trim()
        .split("\n")
        .map((line) => line.trim().split(/\s+/));
      expect(table).toEqual([
        ["1", "sh"],
        [expect.stringMatching(/^\d+$/) as string, "ps"],
      ]);
    },
  );

  test.concurrent("SIGTERM sent to PID 1 from outside reaches the app's handler", async () => {
    const app = "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.05; done";
    const running = startCli(["exec", "-q", uri, "--", "/bin/sh", "-c", app], {
      wrapper: UNSHARE,
    });
    await waitForStdout(running, "ready\n");
    // unshare --fork's only child is PID 1 inside the namespace: after execve, the app.
    const pid1 = await onlyChild(running.child.pid ?? 0);
    expect(readFileSync(`/proc/${pid1}/comm`, "utf8")).toBe("sh\n");
    process.kill(pid1, "SIGTERM");
    expect(await running.result).toMatchObject({
      exitCode: 0,
      signal: null,
      stdout: "ready\ngot TERM\n",
      stderr: "",
    });
  });
});
