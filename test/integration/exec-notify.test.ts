// exec --notify: the start's audit event POSTed to an ops service on
// loopback before the app starts (or before exiting on failure), signed with
// HMAC-SHA256, bounded by its own timeout, TLS verified with AWS_CA_BUNDLE's
// roots; a failure is a warning unless --notify-required. No value of the
// files and no credential of the URL ever shows.
import { createHmac } from "node:crypto";
import {
  canary,
  childEnv,
  ExecFixture,
  PRINT_ENV,
  runExec,
  ScratchDir,
  type ExecOptions,
} from "../support/exec";
import { startReceiver, type Receiver } from "../support/receiver";
import { expectNoLeak, type CliResult } from "../support/run-cli";
import { makeCertificates, type Certificates } from "../support/tls-proxy";

let fx: ExecFixture;
let scratch: ScratchDir;
let certificates: Certificates;
const receivers: Receiver[] = [];

beforeAll(async () => {
  fx = await ExecFixture.create("exec-notify");
  scratch = new ScratchDir();
  certificates = makeCertificates();
});

afterAll(async () => {
  fx.destroy();
  scratch.remove();
  await Promise.all(receivers.map((r) => r.close()));
});

/** A receiver of this test's own (each test sets its answer). */
async function receiver(tls = false): Promise<Receiver> {
  const r = await startReceiver(tls ? certificates : undefined);
  receivers.push(r);
  return r;
}

const KEY = "webhook-key-for-tests";

function hmac(key: string, body: string): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

function notifyRun(r: Receiver, uri: string, options: ExecOptions = {}): Promise<CliResult> {
  return runExec({
    ...options,
    flags: ["--notify", r.url, ...(options.flags ?? [])],
    sources: [uri],
  });
}

test.concurrent("delivers the signed start event before the app starts", async () => {
  const r = await receiver();
  const marker = scratch.marker();
  let ranBeforePost: boolean | undefined;
  r.onRequest = () => (ranBeforePost = marker.ran());
  const { uri, versionId } = await fx.putVersion("DB_USERNAME=app\nDB_PASSWORD=secret\n");
  const keyFile = scratch.file("key", `${KEY}\n`, 0o600);
  const result = await notifyRun(r, uri, {
    flags: ["--notify-secret-file", keyFile],
    command: marker.command,
  });
  expect(result).toMatchObject({ exitCode: 0, stdout: "" });
  expect(result.stderr).toMatch(/^s3-kms-env: loaded 2 variables \(.*\)\n$/);
  expect({ ranBeforePost, ranAfter: marker.ran() }).toEqual({
    ranBeforePost: false,
    ranAfter: true,
  });
  const [post, ...more] = r.received;
  expect(more).toEqual([]);
  expect(post).toMatchObject({
    method: "POST",
    path: "/",
    headers: {
      "content-type": "application/json",
      "user-agent": "s3-kms-env/0.2.0",
      "x-s3-kms-env-event": "start",
      "x-s3-kms-env-signature-256": hmac(KEY, post?.body ?? ""),
    },
  });
  expect(JSON.parse(post?.body ?? "")).toEqual({
    event: "start",
    time: expect.any(String) as string,
    version: "0.2.0",
    host: expect.any(String) as string,
    sources: [
      {
        uri,
        bucket: fx.bucket,
        key: uri.slice(`s3://${fx.bucket}/`.length),
        versionId,
        kmsKeyArn: fx.kmsKey.arn,
      },
    ],
    variables: 2,
    names: ["DB_USERNAME", "DB_PASSWORD"],
    ms: expect.any(Number) as number,
  });
});

test.concurrent(
  "the key may come from S3_KMS_ENV_NOTIFY_SECRET, which the app does not inherit",
  async () => {
    const r = await receiver();
    const uri = await fx.put("A=1\n");
    const result = await runExec({
      sources: [uri],
      command: PRINT_ENV,
      env: { S3_KMS_ENV_NOTIFY_URL: r.url, S3_KMS_ENV_NOTIFY_SECRET: KEY },
    });
    const env = childEnv(result);
    expect(Object.keys(env).filter((name) => name.startsWith("S3_KMS_ENV_NOTIFY"))).toEqual([]);
    const post = r.received[0];
    expect(post?.headers["x-s3-kms-env-signature-256"]).toBe(hmac(KEY, post?.body ?? ""));
  },
);

test.concurrent("without a key: no signature header", async () => {
  const r = await receiver();
  const result = await notifyRun(r, await fx.put("A=1\n"));
  expect(result.exitCode).toBe(0);
  expect(r.received[0]?.headers).not.toHaveProperty("x-s3-kms-env-signature-256");
});

test.concurrent(
  "a stalled service: a warning after --notify-timeout, and the app starts",
  async () => {
    const r = await receiver();
    r.answer = "stall";
    const marker = scratch.marker();
    const began = Date.now();
    const result = await notifyRun(r, await fx.put("A=1\n"), {
      flags: ["--notify-timeout", "300ms"],
      command: marker.command,
    });
    expect(Date.now() - began).toBeLessThan(5000);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(
      `s3-kms-env: warn: --notify to ${r.url} failed: no answer within 300 ms; the app starts anyway`,
    );
    expect(marker.ran()).toBe(true);
  },
);

test.concurrent("a 500: a warning, and the app starts", async () => {
  const r = await receiver();
  r.answer = 500;
  const marker = scratch.marker();
  const result = await notifyRun(r, await fx.put("A=1\n"), { command: marker.command });
  expect(result.exitCode).toBe(0);
  expect(result.stderr.split("\n")[0]).toBe(
    `s3-kms-env: warn: --notify to ${r.url} failed: HTTP 500; the app starts anyway`,
  );
  expect(marker.ran()).toBe(true);
});

test.concurrent(
  "--notify-required and a 500: NOTIFY_FAILED, 125, and the app never starts",
  async () => {
    const r = await receiver();
    r.answer = 500;
    const marker = scratch.marker();
    const result = await notifyRun(r, await fx.put("A=1\n"), {
      flags: ["--notify-required"],
      command: marker.command,
    });
    expect(result).toEqual({
      exitCode: 125,
      signal: null,
      stdout: "",
      stderr: `s3-kms-env: error: --notify to ${r.url} failed: HTTP 500 (code=NOTIFY_FAILED)\n`,
      timedOut: false,
    });
    expect(marker.ran()).toBe(false);
  },
);

test.concurrent(
  "--notify-required in json logs: the start is logged as failed, not as a start",
  async () => {
    const r = await receiver();
    r.answer = "stall";
    const result = await notifyRun(r, await fx.put("A=1\n"), {
      flags: ["--notify-required", "--notify-timeout", "200ms", "--log-format", "json"],
    });
    expect(result.exitCode).toBe(125);
    const lines = result.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ event: "start_failed", code: "NOTIFY_FAILED", StartFailures: 1 }),
      expect.objectContaining({ level: "error", code: "NOTIFY_FAILED" }),
    ]);
  },
);

test.concurrent("a failed start is POSTed too, with its code", async () => {
  const r = await receiver();
  const uri = `s3://${fx.bucket}/exec-notify/missing.env`;
  const result = await notifyRun(r, uri);
  expect(result.exitCode).toBe(125);
  expect(r.received.map((p) => JSON.parse(p.body) as unknown)).toEqual([
    expect.objectContaining({ event: "start_failed", code: "NO_SUCH_KEY" }),
  ]);
  expect(r.received[0]?.headers["x-s3-kms-env-event"]).toBe("start_failed");
});

describe("https", () => {
  test.concurrent("a service under a private CA in AWS_CA_BUNDLE gets the event", async () => {
    const r = await receiver(true);
    const result = await notifyRun(r, await fx.put("A=1\n"), {
      flags: ["--notify-required"],
      env: { AWS_CA_BUNDLE: certificates.caFile },
    });
    expect(result.exitCode).toBe(0);
    expect(r.received).toHaveLength(1);
  });

  test.concurrent("an untrusted certificate is refused: a warning, nothing sent", async () => {
    const r = await receiver(true);
    const result = await notifyRun(r, await fx.put("A=1\n"));
    expect(result.exitCode).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(
      `s3-kms-env: warn: --notify to ${r.url} failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE; the app starts anyway`,
    );
    expect(r.received).toEqual([]);
  });
});

describe("leaks", () => {
  const C = {
    value: canary("VALUE"),
    user: canary("USER"),
    password: canary("PASSWORD"),
    token: canary("TOKEN"),
    key: canary("KEY"),
  };
  const MODES = [[], ["--verbose"], ["--debug"], ["--log-format", "json", "--debug"]];

  test.concurrent.each([
    [204, MODES[0]],
    [204, MODES[1]],
    [500, MODES[2]],
    [500, MODES[3]],
    ["stall" as const, MODES[3]],
  ])(
    "answer %s, flags %j: no value, URL credential, URL token or key in any output or event",
    async (answer, mode) => {
      const r = await receiver();
      r.answer = answer;
      const uri = await fx.put(`DB_PASSWORD=${C.value}\n`);
      const url = new URL(r.url);
      url.username = C.user;
      url.password = C.password;
      url.pathname = `/hooks/${C.token}`;
      const result = await runExec({
        flags: [...(mode ?? []), "--notify", url.href, "--notify-timeout", "500ms"],
        sources: [uri],
        env: { S3_KMS_ENV_NOTIFY_SECRET: C.key },
      });
      expect(result.exitCode).toBe(0);
      expectNoLeak(result, Object.values(C));
      const [post] = r.received;
      expectNoLeak({ stdout: post?.body ?? "", stderr: "" }, Object.values(C));
      // The credentials did reach the service, as Basic authentication.
      expect(post?.headers.authorization).toBe(
        `Basic ${Buffer.from(`${C.user}:${C.password}`).toString("base64")}`,
      );
    },
  );
});
