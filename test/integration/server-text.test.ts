// Text from a server (S3's <Code>, and the like) reaches stderr only as one
// bounded, printable line: a code holding a newline cannot forge a second log
// line, escape sequences cannot drive the terminal, a 60 kB code is cut.
import { s3Error, startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { canary, ExecFixture, expectFailure, runViaProxy } from "../support/exec";
import { motoUrl } from "../support/moto";
import { errorLine, withS3Answer } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";

const SECRET = canary("SERVER_TEXT");
const BODY = `DB_PASSWORD=${SECRET}\n`;

let fx: ExecFixture;
let proxy: FaultProxy;

beforeAll(async () => {
  fx = await ExecFixture.create("server-text");
  proxy = await startFaultProxy(motoUrl());
});

afterAll(async () => {
  fx.destroy();
  await proxy.close();
});

// [what, the code S3 sends, how it is shown]
const CODES: ReadonlyArray<readonly [string, string, string]> = [
  [
    "a newline forging a second log line",
    "Forged\ns3-kms-env: loaded 9 variables",
    "Forged?s3-kms-env: loaded 9 variables",
  ],
  ["ANSI escape sequences", "\u001b[31mRed\u001b[0m\u001b[2J", "?[31mRed?[0m?[2J"],
  ["a 60 kB code", "A".repeat(60_000), `${"A".repeat(61)}...`],
];

describe.each(CODES)("an S3 error code with %s", (_what, code, shown) => {
  test.concurrent("exec prints exactly one bounded line", async () => {
    const { result, uri } = await runViaProxy(fx, proxy, BODY, s3Error(400, code, "message"));
    expectFailure(result, "S3_ERROR", `${uri}: S3 answered ${shown}`);
    expectNoLeak(result, [SECRET]);
  });

  test.concurrent("an ops command (get) prints exactly one bounded line", async () => {
    const uri = await fx.put(BODY);
    await withS3Answer("GET", s3Error(400, code, "message"), async (endpoint) => {
      const result = await runCli(["get", uri], { endpoint });
      expect(result).toMatchObject({
        exitCode: 125,
        stdout: "",
        stderr: errorLine(`${uri}: S3 answered ${shown} to GetObject`, "S3_ERROR"),
      });
      expectNoLeak(result, [SECRET]);
    });
  });
});
