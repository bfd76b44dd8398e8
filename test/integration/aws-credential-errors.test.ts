// Every credential failure names its cause in one line, the same for exec
// and the ops commands, and never shows a key, token or env file value:
// canaries are planted in a failing credential_process's stdout and stderr,
// in the profile files and in the env file.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { canary, errorLine, opsWorld, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli, type RunCliOptions } from "../support/run-cli";

let world: OpsWorld;
let uri: string;
const valueCanary = canary("value");
const keyCanary = `AKIA${canary("key")
  .replace(/[^A-Za-z0-9]/g, "")
  .toUpperCase()}`.slice(0, 20);
const secretCanary = canary("secret");
const tokenCanary = canary("token");
const stderrCanary = canary("stderr");
const canaries = [valueCanary, keyCanary, secretCanary, tokenCanary, stderrCanary];

beforeAll(async () => {
  world = await opsWorld("creds");
  await world.aws.putEnvObject(world.bucket, "app.env", `VALUE=${valueCanary}\n`, {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  });
  uri = `s3://${world.bucket}/app.env`;
});
afterAll(() => world.aws.destroy());

const noStaticKeys = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };

function home(config: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-creds-"));
  mkdirSync(path.join(dir, ".aws"));
  writeFileSync(path.join(dir, ".aws", "config"), config);
  return dir;
}

/** Both commands, the same line on stderr, nothing leaked. */
async function expectBoth(options: RunCliOptions, line: string | RegExp): Promise<void> {
  for (const args of [
    ["exec", "-q", uri, "--", "/bin/true"],
    ["get", "-q", uri],
  ]) {
    const result = await runCli(args, options);
    expect({ args, exitCode: result.exitCode, stdout: result.stdout }).toEqual({
      args,
      exitCode: 125,
      stdout: "",
    });
    if (typeof line === "string") expect(result.stderr).toBe(line);
    else expect(result.stderr).toMatch(line);
    expect(result.stderr.split("\n").length).toBe(2);
    expectNoLeak(result, canaries);
  }
}

/** AWS_PROFILE=proc, whose credential_process is a script with `body`. */
function processProfile(body: string): RunCliOptions {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-proc-"));
  const script = path.join(dir, "credentials.sh");
  writeFileSync(script, `#!/bin/sh\n${body}`);
  chmodSync(script, 0o755);
  return {
    env: {
      ...noStaticKeys,
      AWS_PROFILE: "proc",
      HOME: home(`[profile proc]\ncredential_process = ${script}\n`),
    },
  };
}

test("credential_process that fails: its exit status and its stderr's first line", async () => {
  await expectBoth(
    processProfile(
      `echo '{"Version":1,"AccessKeyId":"${keyCanary}","SecretAccessKey":"${secretCanary}","SessionToken":"${tokenCanary}"}'\n` +
        "echo 'token expired, run login' >&2\n" +
        `echo '${stderrCanary}' >&2\n` +
        "exit 1\n",
    ),
    errorLine(
      'credential_process of profile proc exited with status 1: "token expired, run login"; fix or re-run its login, or use another AWS_PROFILE',
      "NO_CREDENTIALS",
    ),
  );
});

test("a key-shaped word on the process's stderr is cut out", async () => {
  await expectBoth(
    processProfile(`echo 'bad secret ${secretCanary} for ${keyCanary}' >&2\nexit 2\n`),
    errorLine(
      'credential_process of profile proc exited with status 2: "bad secret [redacted] for [redacted]"; fix or re-run its login, or use another AWS_PROFILE',
      "NO_CREDENTIALS",
    ),
  );
});

test("an SSO profile that is not logged in", async () => {
  await expectBoth(
    {
      env: {
        ...noStaticKeys,
        AWS_PROFILE: "dev",
        HOME: home(
          "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n" +
            "[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n",
        ),
      },
    },
    errorLine(
      'profile dev uses SSO and is not logged in (or its session expired): run "aws sso login --profile dev"',
      "NO_CREDENTIALS",
    ),
  );
});

const NO_SUCH_PROFILE = errorLine(
  "AWS_PROFILE=nosuch: no such profile in the AWS config or credentials file; check the name, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE",
  "NO_PROFILE",
);

test("AWS_PROFILE=nosuch: the profile does not exist (region set)", async () => {
  await expectBoth(
    {
      env: {
        ...noStaticKeys,
        AWS_PROFILE: "nosuch",
        HOME: home(
          `[default]\naws_access_key_id = ${keyCanary}\naws_secret_access_key = ${secretCanary}\n`,
        ),
      },
    },
    NO_SUCH_PROFILE,
  );
});

test("AWS_PROFILE=nosuch: the profile does not exist (no region either)", async () => {
  await expectBoth(
    { env: { ...noStaticKeys, AWS_REGION: undefined, AWS_PROFILE: "nosuch" } },
    NO_SUCH_PROFILE,
  );
});

test("a missing web identity token file", async () => {
  await expectBoth(
    {
      env: {
        ...noStaticKeys,
        AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/app",
      },
    },
    errorLine(
      "web identity (IRSA): the token file /var/run/secrets/eks.amazonaws.com/serviceaccount/token (AWS_WEB_IDENTITY_TOKEN_FILE) does not exist; check the pod's service account and its projected token volume",
      "NO_CREDENTIALS",
    ),
  );
});

test("IMDS that never answers: the hop limit is named", async () => {
  const sockets = new Set<net.Socket>();
  const stall = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
  const { port } = stall.address() as AddressInfo;
  try {
    await expectBoth(
      {
        env: {
          ...noStaticKeys,
          AWS_EC2_METADATA_DISABLED: undefined,
          AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}`,
          S3_KMS_ENV_TIMEOUT: "3s",
        },
        timeoutMs: 20_000,
      },
      /^s3-kms-env: error: no AWS credentials.*instance metadata service \(IMDS\) did not answer: from a container on EC2 the instance needs a metadata hop limit of 2.*\(code=(NO_CREDENTIALS|TIMEOUT)\)\n$/,
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    stall.close();
  }
});
