// Values never leave s3-kms-env except into the app's environment: every
// scenario of the other exec tests — success, each error — runs again in
// every log mode with canary values in the files, the inherited environment
// and the AWS credentials, and none may show in s3-kms-env's stdout or
// stderr. Each run also checks its exit code and error code, so a scenario
// that stopped reaching its case cannot pass by printing nothing.
import type { PutOptions } from "../support/exec";
import {
  canary,
  ExecFixture,
  PRINT_ENV,
  requestPath,
  runExec,
  ScratchDir,
  unusedPort,
} from "../support/exec";
import {
  s3AccessDenied,
  s3Error,
  s3KmsAccessDenied,
  s3KmsDisabled,
  s3SlowDown,
  startFaultProxy,
  type FaultAction,
  type FaultProxy,
} from "../support/fault-proxy";
import { motoUrl } from "../support/moto";
import { expectNoLeak, runCli, type CliResult } from "../support/run-cli";

const C = {
  value: canary("VALUE"),
  quoted: canary("QUOTED"),
  multiline: canary("MULTILINE"),
  duplicate: canary("DUPLICATE"),
  later: canary("LATER"),
  inherited: canary("INHERITED"),
  secretKey: canary("SECRETKEY"),
  sessionToken: canary("TOKEN"),
  badLine: canary("BADLINE"),
  refused: canary("REFUSED"),
};
const CANARIES = Object.values(C);

const FILE = [
  "DB_USERNAME=app_user",
  `DB_PASSWORD=${C.value}`,
  `DB_HOSTNAME="${C.quoted} db.internal"`,
  `CERT="-----BEGIN-----`,
  C.multiline,
  `-----END-----"`,
  "",
].join("\n");

/** Every run: secrets in the credentials and in the inherited environment. */
const SECRET_ENV = {
  AWS_SECRET_ACCESS_KEY: C.secretKey,
  AWS_SESSION_TOKEN: C.sessionToken,
  APP_SECRET: C.inherited,
};

interface Scenario {
  /** The env file; default FILE. */
  readonly file?: string | Uint8Array;
  readonly put?: PutOptions;
  /** A second file, read after the first. */
  readonly later?: string;
  readonly flags?: () => readonly string[];
  /** Sources instead of the uploaded file(s). */
  readonly sources?: () => readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: /bin/true, which prints nothing. */
  readonly command?: () => readonly string[];
  /** Through the fault proxy, which answers this for the file's requests. */
  readonly respond?: FaultAction;
  readonly times?: number;
  readonly endpoint?: () => string;
  readonly exitCode: number;
  /** The error code s3-kms-env must report. */
  readonly code?: string;
}

let fx: ExecFixture;
let scratch: ScratchDir;
let proxy: FaultProxy;
let alias: string;
let otherKeyArn: string;
let closedPort: number;
/** FILE sealed for sealedKey's object, for file:// (app=leaks), under the other key, damaged. */
const sealed = { object: "", file: "", otherKey: "", damaged: "", plain: "" };
let sealedKey: string;

/** FILE sealed by the CLI with `args`, as text. */
async function sealFile(args: readonly string[]): Promise<string> {
  const plain = scratch.file("plain.env", FILE, 0o600);
  const result = await runCli(["seal", "-q", ...args, plain]);
  if (result.exitCode !== 0) throw new Error(`seal failed: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  fx = await ExecFixture.create("exec-leaks");
  scratch = new ScratchDir();
  proxy = await startFaultProxy(motoUrl());
  alias = await fx.aws.createAlias(`exec-leaks-${fx.bucket.slice(-8)}`, fx.kmsKey.keyId);
  otherKeyArn = (await fx.aws.createKmsKey({ description: "exec-leaks other" })).arn;
  closedPort = await unusedPort();
  sealedKey = fx.freshKey();
  const key = ["--kms-key-id", fx.kmsKey.arn];
  sealed.object = await sealFile([...key, "--s3-object", `s3://${fx.bucket}/${sealedKey}`]);
  const local = await sealFile([...key, "--context", "app=leaks"]);
  sealed.file = scratch.file("app.env.sealed", local, 0o644);
  const message = Buffer.from(local, "base64");
  message[message.length - 150] = (message[message.length - 150] ?? 0) ^ 0x01;
  sealed.damaged = scratch.file("damaged.sealed", message.toString("base64"), 0o644);
  const other = await sealFile(["--kms-key-id", otherKeyArn, "--context", "app=leaks"]);
  sealed.otherKey = scratch.file("other.sealed", other, 0o644);
  sealed.plain = scratch.file("plain-source.env", FILE, 0o600);
});

afterAll(async () => {
  fx.destroy();
  scratch.remove();
  await proxy.close();
});

const withCredentials = (env: Record<string, string | undefined>) => ({ ...SECRET_ENV, ...env });

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  // The app starts.
  success: { exitCode: 0 },
  "two sources, the later overriding": { later: `DB_PASSWORD=${C.later}\n`, exitCode: 0 },
  "a name set twice": { file: `${FILE}DB_PASSWORD=${C.duplicate}\n`, exitCode: 0 },
  "--precedence env keeps an inherited value": {
    flags: () => ["--precedence", "env"],
    env: { DB_PASSWORD: canary("KEPT") },
    exitCode: 0,
  },
  "--only leaves names out": { flags: () => ["--only", "DB_USERNAME"], exitCode: 0 },
  "--insecure-allow-unencrypted on a plaintext object": {
    put: { sse: "none" },
    flags: () => ["--insecure-allow-unencrypted"],
    // The opt-out applies only with no trusted key named.
    env: { S3_KMS_ENV_KMS_KEY_ID: undefined },
    exitCode: 0,
  },
  "--kms-key-id as an alias": { flags: () => ["--kms-key-id", alias], exitCode: 0 },
  "--insecure-any-kms-key": {
    flags: () => ["--insecure-any-kms-key"],
    env: { S3_KMS_ENV_KMS_KEY_ID: undefined },
    exitCode: 0,
  },
  "no trusted key": {
    env: { S3_KMS_ENV_KMS_KEY_ID: undefined },
    exitCode: 125,
    code: "NO_TRUSTED_KEY",
  },
  "--expand": {
    later: 'DSN="postgres://app:${DB_PASSWORD}@db"\n',
    flags: () => ["--expand"],
    exitCode: 0,
  },
  "--spawn": { flags: () => ["--spawn"], exitCode: 0 },
  "SlowDown once, then the object": { respond: s3SlowDown(), times: 1, exitCode: 0 },
  "the app's own failure": { command: () => ["/bin/sh", "-c", "exit 3"], exitCode: 3 },
  // s3-kms-env refuses to start the app.
  "a bad option value": { flags: () => ["--precedence", C.value], exitCode: 125, code: "USAGE" },
  "a bad URI": {
    sources: () => [`s3://${fx.bucket}/x?versionid=1`],
    exitCode: 125,
    code: "BAD_URI",
  },
  "no such bucket": {
    sources: () => [`s3://${fx.bucket}-gone/a.env`],
    exitCode: 125,
    code: "NO_SUCH_BUCKET",
  },
  "no such key": {
    sources: () => [`s3://${fx.bucket}/never.env`],
    exitCode: 125,
    code: "NO_SUCH_KEY",
  },
  "a plaintext object": { put: { sse: "none" }, exitCode: 125, code: "NOT_KMS_ENCRYPTED" },
  "an SSE-S3 object": { put: { sse: "AES256" }, exitCode: 125, code: "NOT_KMS_ENCRYPTED" },
  "another KMS key": {
    flags: () => ["--kms-key-id", otherKeyArn],
    exitCode: 125,
    code: "WRONG_KMS_KEY",
  },
  "an alias that does not exist": {
    flags: () => ["--kms-key-id", "alias/exec-leaks-none"],
    exitCode: 125,
    code: "KMS_ERROR",
  },
  "a refused name": {
    file: `${FILE}LD_PRELOAD=/tmp/${C.refused}.so\n`,
    exitCode: 125,
    code: "REFUSED_NAME",
  },
  "a line that is not NAME=value": {
    file: `${FILE}DB_PASSWORD ${C.badLine}\n`,
    exitCode: 125,
    code: "PARSE",
  },
  "an unquoted '#'": { file: `${FILE}TOKEN=${C.badLine}#x\n`, exitCode: 125, code: "PARSE" },
  "a quote never closed": { file: `${FILE}TOKEN="${C.badLine}\n`, exitCode: 125, code: "PARSE" },
  "text after the closing quote": {
    file: `${FILE}TOKEN="a" ${C.badLine}\n`,
    exitCode: 125,
    code: "PARSE",
  },
  "--expand of an undefined name": {
    later: `DSN="${C.badLine}\${NOT_DEFINED}"\n`,
    flags: () => ["--expand"],
    exitCode: 125,
    code: "PARSE",
  },
  "a NUL byte": { file: `${FILE}TOKEN=${C.badLine}\0x\n`, exitCode: 125, code: "NUL_BYTE" },
  "invalid UTF-8": {
    file: Buffer.concat([Buffer.from(`${FILE}TOKEN=${C.badLine}`), Buffer.from([0xff, 0x0a])]),
    exitCode: 125,
    code: "NOT_UTF8",
  },
  "over --max-size": { flags: () => ["--max-size", "64"], exitCode: 125, code: "TOO_LARGE" },
  "S3 access denied": { respond: s3AccessDenied(), exitCode: 125, code: "S3_ACCESS_DENIED" },
  "KMS access denied": {
    respond: s3KmsAccessDenied("arn:aws:kms:us-east-1:123456789012:key/x"),
    exitCode: 125,
    code: "KMS_ACCESS_DENIED",
  },
  "a disabled key": {
    respond: s3KmsDisabled("arn:aws:kms:us-east-1:123456789012:key/x"),
    exitCode: 125,
    code: "KMS_KEY_DISABLED",
  },
  "credentials rejected": {
    respond: s3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match",
    ),
    exitCode: 125,
    code: "CREDENTIALS_REJECTED",
  },
  // Retried until the deadline: a short one keeps the test short.
  "throttled on every attempt": {
    respond: s3SlowDown(),
    flags: () => ["--timeout", "1s"],
    exitCode: 125,
    code: "THROTTLED",
  },
  "a corrupted body": {
    respond: {
      status: 200,
      headers: {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-checksum-crc32": "AAAAAA==",
      },
      body: FILE,
    },
    exitCode: 125,
    code: "INTEGRITY",
  },
  "a stalled S3": {
    respond: { stall: true },
    flags: () => ["--timeout", "1s"],
    exitCode: 125,
    code: "TIMEOUT",
  },
  "an endpoint nothing listens on": {
    endpoint: () => `http://127.0.0.1:${closedPort}`,
    flags: () => ["--timeout", "1s"],
    exitCode: 125,
    code: "NETWORK",
  },
  "no credentials": {
    env: {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
    },
    exitCode: 125,
    code: "NO_CREDENTIALS",
  },
  "no region": {
    env: { AWS_REGION: undefined, AWS_CONFIG_FILE: "/nonexistent/config" },
    exitCode: 125,
    code: "NO_REGION",
  },
  "a variable over 128 KiB": {
    later: `BIG=${C.badLine}${"x".repeat(128 * 1024)}\n`,
    exitCode: 125,
    code: "ENV_TOO_LARGE",
  },
  "a command not found": {
    command: () => ["no-such-command-leaks"],
    exitCode: 127,
    code: "COMMAND_NOT_FOUND",
  },
  "a command not executable": {
    command: () => [scratch.file("app", "#!/bin/sh\n", 0o644)],
    exitCode: 126,
    code: "COMMAND_NOT_EXECUTABLE",
  },
  // Sealed sources (put --client-side, seal): opened, or refused.
  "a sealed object": {
    get file() {
      return sealed.object;
    },
    get put() {
      return { key: sealedKey };
    },
    flags: () => ["--require-sealed"],
    exitCode: 0,
  },
  "a sealed file:// source": {
    sources: () => [`file://${sealed.file}`],
    flags: () => ["--context", "app=leaks"],
    exitCode: 0,
  },
  "a sealed object copied to another key": {
    get file() {
      return sealed.object;
    },
    exitCode: 125,
    code: "SEALED_CONTEXT_MISMATCH",
  },
  "a sealed file:// source in another context": {
    sources: () => [`file://${sealed.file}`],
    flags: () => ["--context", "app=other"],
    exitCode: 125,
    code: "SEALED_CONTEXT_MISMATCH",
  },
  "a sealed file:// source under an untrusted key": {
    sources: () => [`file://${sealed.otherKey}`],
    // Every key the file made is trusted by default: name only the fixture's.
    flags: () => ["--kms-key-id", fx.kmsKey.arn],
    exitCode: 125,
    code: "SEALED_KEY_NOT_TRUSTED",
  },
  "a damaged sealed file:// source": {
    sources: () => [`file://${sealed.damaged}`],
    exitCode: 125,
    code: "SEALED_CORRUPT",
  },
  "a plain file:// source": {
    sources: () => [`file://${sealed.plain}`],
    exitCode: 125,
    code: "NOT_SEALED",
  },
  "--require-sealed on a plain object": {
    flags: () => ["--require-sealed"],
    exitCode: 125,
    code: "NOT_SEALED",
  },
};

const MODES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["default", []],
  ["--verbose", ["--verbose"]],
  ["--debug", ["--debug"]],
  ["--log-format json --debug", ["--log-format", "json", "--debug"]],
];

async function run(s: Scenario, mode: readonly string[]): Promise<CliResult> {
  const uri = await fx.put(s.file ?? FILE, s.put);
  const later = s.later === undefined ? [] : [await fx.put(s.later)];
  if (s.respond !== undefined) {
    proxy.addRule({ match: { pathPrefix: requestPath(uri) }, times: s.times, respond: s.respond });
  }
  return runExec({
    flags: [...mode, ...(s.flags?.() ?? [])],
    sources: s.sources?.() ?? [uri, ...later],
    env: withCredentials(s.env ?? {}),
    command: s.command?.(),
    endpoint: s.respond !== undefined ? proxy.url : s.endpoint?.(),
  });
}

const CASES = Object.entries(SCENARIOS).flatMap(([name, scenario]) =>
  MODES.map(([mode, flags]) => [name, mode, scenario, flags] as const),
);

test.concurrent.each(CASES)(
  "%s (%s): no value in any output",
  async (_name, mode, scenario, flags) => {
    const result = await run(scenario, flags);
    expect(result.exitCode).toBe(scenario.exitCode);
    if (scenario.code !== undefined) {
      const marker = mode.includes("json")
        ? `"code":"${scenario.code}"`
        : `(code=${scenario.code})`;
      expect(result.stderr).toContain(marker);
    }
    expectNoLeak(result, CANARIES);
  },
);

test("the canaries reach the app, so their absence above means something", async () => {
  const uri = await fx.put(FILE);
  const later = await fx.put(`DB_PASSWORD=${C.later}\n`);
  const result = await runExec({
    flags: ["--debug"],
    sources: [uri, later],
    env: withCredentials({}),
    command: PRINT_ENV,
  });
  const seen = JSON.parse(result.stdout) as Record<string, string>;
  expect(seen).toMatchObject({
    DB_PASSWORD: C.later,
    DB_HOSTNAME: `${C.quoted} db.internal`,
    CERT: `-----BEGIN-----\n${C.multiline}\n-----END-----`,
    APP_SECRET: C.inherited,
    AWS_SECRET_ACCESS_KEY: C.secretKey,
    AWS_SESSION_TOKEN: C.sessionToken,
  });
  expectNoLeak({ stdout: "", stderr: result.stderr }, CANARIES);
});
