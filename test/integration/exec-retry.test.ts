// Retries: which failures s3-kms-env tries again, how often, and what it
// reports when they persist.
import { s3Error, s3InternalError, startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { ExecFixture, expectFailure, runViaProxy } from "../support/exec";
import { motoUrl } from "../support/moto";

const BODY = "DB_USERNAME=app\n";

let fx: ExecFixture;
let proxy: FaultProxy;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-retry");
  proxy = await startFaultProxy(motoUrl());
});

afterAll(async () => {
  fx.destroy();
  await proxy.close();
});

// The SDK counts 500, 502, 503 and 504 as transient, and so do we.
describe("a transient S3 server error is retried", () => {
  const transient = [
    ["500 InternalError", s3InternalError()],
    [
      "503 ServiceUnavailable",
      s3Error(503, "ServiceUnavailable", "Service is unable to handle request."),
    ],
  ] as const;

  test.concurrent.each(transient)(
    "%s once, then the object: the app starts after 2 requests",
    async (_what, answer) => {
      const { result, requests } = await runViaProxy(fx, proxy, BODY, answer, { times: 1 });
      expect(result.exitCode).toBe(0);
      expect(requests).toBe(2);
    },
  );

  test.concurrent.each(transient)(
    "%s on every attempt: retried until --timeout, then S3_ERROR",
    async (_what, answer) => {
      const { result, uri, requests } = await runViaProxy(fx, proxy, BODY, answer, {
        flags: ["--timeout", "1s"],
      });
      const code = /<Code>([^<]+)<\/Code>/.exec(answer.body)?.[1] ?? "";
      expectFailure(result, "S3_ERROR", `${uri}: S3 answered ${code}`);
      expect(requests).toBeGreaterThanOrEqual(3);
    },
  );
});

// @smithy/node-http-handler renames ECONNRESET and EPIPE errors to
// "TimeoutError" (keeping err.code): a reset must not read as a timeout.
test.concurrent(
  "a connection reset on every attempt is NETWORK (ECONNRESET), not TIMEOUT",
  async () => {
    const { result, uri, requests } = await runViaProxy(
      fx,
      proxy,
      BODY,
      { destroy: true },
      { flags: ["--timeout", "1s"] },
    );
    const port = new URL(proxy.url).port;
    expectFailure(result, "NETWORK", `${uri}: cannot reach 127.0.0.1:${port} (ECONNRESET)`);
    expect(requests).toBeGreaterThanOrEqual(3);
  },
);
