// One deadline (--timeout) covers the whole start: credentials, the alias
// lookup (kms:DescribeKey), the fetch and its retries. A credential source
// that never answers ends the start at --timeout, alias or not, and a
// credential_process that hangs is killed rather than left behind.
import { randomInt } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ScratchDir } from "../support/exec";
import { runCli, type CliResult } from "../support/run-cli";

const uri = "s3://deadline-bucket/app.env";
const noStaticKeys = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
const CREDENTIALS_TIMEOUT =
  "s3-kms-env: error: no AWS credentials within 1000 ms: the credential source did not answer; check the container's role or raise --timeout (code=TIMEOUT)\n";

let stalled: http.Server;
let stalledUrl: string;
let scratch: ScratchDir;

beforeAll(async () => {
  scratch = new ScratchDir();
  // Accepts every request and never answers.
  stalled = http.createServer(() => {});
  await new Promise<void>((resolve) => stalled.listen(0, "127.0.0.1", resolve));
  stalledUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
});

afterAll(async () => {
  stalled.closeAllConnections();
  await new Promise((resolve) => stalled.close(resolve));
  scratch.remove();
});

/** A sleep no other process on the machine runs: its argument is unique. */
function uniqueSleep(): string {
  return `/bin/sleep 7${randomInt(100_000, 999_999)}`;
}

/** Processes whose command line is exactly `command`, from /proc. */
function processesRunning(command: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return cmdline.split("\0").join(" ").trim() === command;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function homeWithCredentialProcess(command: string): string {
  const home = scratch.dir("home");
  mkdirSync(path.join(home, ".aws"));
  writeFileSync(path.join(home, ".aws", "config"), `[default]\ncredential_process = ${command}\n`);
  return home;
}

type Source = () => Record<string, string | undefined>;

const hangingSources: ReadonlyArray<[string, Source]> = [
  [
    "the container endpoint (ECS, EKS Pod Identity) never answers",
    () => ({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stalledUrl}/creds` }),
  ],
  [
    "STS never answers the web identity exchange (IRSA)",
    () => ({
      AWS_WEB_IDENTITY_TOKEN_FILE: scratch.file("token", "eyJhbGciOiJub25lIn0.e30.", 0o600),
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/app",
      AWS_ENDPOINT_URL_STS: stalledUrl,
    }),
  ],
];

function runWithin1s(flags: readonly string[], env: Record<string, string | undefined>) {
  return runCli(["exec", "--timeout", "1s", ...flags, uri, "--", "/bin/true"], {
    env: { ...noStaticKeys, ...env },
    timeoutMs: 20_000,
  });
}

function expectTimedOutCredentials(result: CliResult): void {
  expect(result).toEqual({
    exitCode: 125,
    signal: null,
    stdout: "",
    stderr: CREDENTIALS_TIMEOUT,
    timedOut: false,
  });
}

describe.each([
  // A key ARN needs no lookup: only the credentials and the fetch are under the deadline.
  [
    "with --kms-key-id ARN",
    ["--kms-key-id", "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"],
  ],
  ["with --kms-key-id alias/…", ["--kms-key-id", "alias/app-env"]],
] as const)("%s", (_what, flags) => {
  test.concurrent.each(hangingSources)("%s: TIMEOUT at --timeout", async (_source, env) => {
    expectTimedOutCredentials(await runWithin1s(flags, env()));
  });

  test.concurrent(
    "a credential_process that sleeps forever: TIMEOUT at --timeout, and it is killed",
    async () => {
      const command = uniqueSleep();
      const result = await runWithin1s(flags, { HOME: homeWithCredentialProcess(command) });
      expectTimedOutCredentials(result);
      expect(processesRunning(command)).toEqual([]);
    },
  );

  test.concurrent("no credentials anywhere: NO_CREDENTIALS", async () => {
    const result = await runWithin1s(flags, {});
    expect(result.stderr).toBe(
      "s3-kms-env: error: no AWS credentials found (environment, profile, web identity, ECS or EC2 role): give the container a role or set AWS_PROFILE (code=NO_CREDENTIALS)\n",
    );
    expect(result.exitCode).toBe(125);
  });
});

test.concurrent("a KMS endpoint that never answers the alias lookup: TIMEOUT", async () => {
  const result = await runWithin1s(["--kms-key-id", "alias/app-env"], {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_KMS: stalledUrl,
  });
  expect(result).toEqual({
    exitCode: 125,
    signal: null,
    stdout: "",
    stderr:
      "s3-kms-env: error: cannot resolve alias/app-env: KMS did not answer within 1000 ms (code=TIMEOUT)\n",
    timedOut: false,
  });
});
