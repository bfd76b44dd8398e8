// A signal that arrives while s3-kms-env is still fetching ends the start at
// once with 128+N, and the app never starts. As PID 1 (a container's
// entrypoint) the kernel drops signals that have no handler, so without one
// `docker stop` during a slow start would wait for the whole --timeout.
import { constants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { ExecFixture, expectFailure, ScratchDir } from "../support/exec";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { motoUrl } from "../support/moto";
import { startCli, type RunCliOptions } from "../support/run-cli";
import { onlyChild, UNSHARE } from "../support/pid1";

let fx: ExecFixture;
let proxy: FaultProxy;
let scratch: ScratchDir;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-interrupt");
  proxy = await startFaultProxy(motoUrl());
  scratch = new ScratchDir();
});

afterAll(async () => {
  fx.destroy();
  scratch.remove();
  await proxy.close();
});

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR2"] as const;

/**
 * Starts exec on an object whose GET stalls (a 60 s --timeout that must not
 * be waited for), waits until the GET is in flight, sends `signal`.
 */
async function interruptedFetch(
  signal: NodeJS.Signals,
  options: RunCliOptions & { pid1: boolean },
) {
  const uri = await fx.put("DB_USERNAME=app\n");
  const path = `/${uri.slice("s3://".length)}`;
  proxy.addRule({ match: { pathPrefix: path }, respond: { stall: true } });
  const marker = scratch.marker();
  const running = startCli(["exec", "-q", "--timeout", "60s", uri, "--", ...marker.command], {
    endpoint: proxy.url,
    wrapper: options.pid1 ? UNSHARE : undefined,
    timeoutMs: 20_000,
  });
  while (!proxy.requests.some((r) => r.path.startsWith(path))) await sleep(20);
  const pid = running.child.pid ?? 0;
  process.kill(options.pid1 ? await onlyChild(pid) : pid, signal);
  return { result: await running.result, started: marker.ran() };
}

describe.each([
  ["as PID 1 of a PID namespace", true],
  ["as an ordinary process", false],
])("a signal during the fetch ends the start at once (%s)", (_where, pid1) => {
  test.concurrent.each(SIGNALS)("%s: exit 128+N, one line, the app not started", async (signal) => {
    const { result, started } = await interruptedFetch(signal, { pid1 });
    expectFailure(
      result,
      "INTERRUPTED",
      `interrupted by ${signal} before the app started; it was not started`,
      128 + constants.signals[signal],
    );
    expect(started).toBe(false);
  });
});
