// Fixtures and assertions shared by the `s3-kms-env exec` integration tests:
// one versioned bucket and KMS key per test file, env objects under keys of
// their own (so concurrent tests and fault-proxy rules never meet), the child
// commands that report what the app saw, and the exact-outcome assertions.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { TestAws, uniqueBucket, type ClientOptions, type Sse } from "./aws";
import { startFaultProxy, type FaultAction, type FaultProxy } from "./fault-proxy";
import { motoUrl } from "./moto";
import { nodeBinary, runCli, type CliResult, type RunCliOptions } from "./run-cli";

/** The line every start without a trusted key (a development opt-out) logs. */
export const ANY_KEY_WARNING =
  "s3-kms-env: warn: no trusted KMS key: objects under any KMS key are accepted, the AWS-managed aws/s3 key included, which anyone with s3:PutObject can write under (development only); name your key with --kms-key-id or S3_KMS_ENV_KMS_KEY_ID";

/** The WRONG_KMS_KEY message. */
export function untrustedKey(uri: string, actual: string, trusted: readonly string[]): string {
  return (
    `${uri} is encrypted with KMS key ${actual}, not a trusted key (trusted: ${trusted.join(", ")}); ` +
    `refusing to trust it. Upload it again under a trusted key, or trust its key only if you know who can write with it`
  );
}

/** A value no code path of s3-kms-env could print by accident: only a leak shows it. */
export function canary(label = ""): string {
  return `CANARY_${label}${randomBytes(8).toString("hex")}`;
}

export interface PutOptions {
  /** Default: SSE-KMS under the fixture's key. */
  readonly sse?: Sse;
  /** Default: the fixture's key (with sse 'aws:kms'). */
  readonly kmsKeyId?: string;
  /** Default: a fresh key. */
  readonly key?: string;
}

export interface PutResult {
  readonly uri: string;
  readonly versionId: string;
}

/** One versioned bucket and one KMS key, for the tests of one file. */
export class ExecFixture {
  private count = 0;

  private constructor(
    readonly aws: TestAws,
    readonly bucket: string,
    readonly kmsKey: { readonly keyId: string; readonly arn: string },
    private readonly label: string,
  ) {}

  static async create(label: string, options: ClientOptions = {}): Promise<ExecFixture> {
    const aws = new TestAws(options);
    const bucket = await aws.createBucket(uniqueBucket(label), { versioning: true });
    const kmsKey = await aws.createKmsKey({ description: label });
    return new ExecFixture(aws, bucket, kmsKey, label);
  }

  /** A key no other put of this fixture has used. */
  freshKey(): string {
    this.count += 1;
    return `${this.label}/${this.count}.env`;
  }

  /** Uploads an env file and returns its s3:// URI (without versionId) and its version. */
  async putVersion(body: string | Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    const key = options.key ?? this.freshKey();
    const sse = options.sse ?? "aws:kms";
    const { versionId } = await this.aws.putEnvObject(this.bucket, key, body, {
      sse,
      kmsKeyId: sse === "aws:kms" ? (options.kmsKeyId ?? this.kmsKey.arn) : undefined,
    });
    if (versionId === undefined) throw new Error("a versioned bucket returned no VersionId");
    return { uri: `s3://${this.bucket}/${key}`, versionId };
  }

  /** Uploads an env file and returns its s3:// URI. */
  async put(body: string | Uint8Array, options: PutOptions = {}): Promise<string> {
    return (await this.putVersion(body, options)).uri;
  }

  /** Seals the env file `file` into a fresh object (put --client-side under the fixture's key); its URI. */
  async putSealed(file: string): Promise<string> {
    const uri = `s3://${this.bucket}/${this.freshKey()}`;
    const put = ["put", "-q", "--client-side", "--kms-key-id", this.kmsKey.arn, file, uri];
    const result = await runCli(put);
    if (result.exitCode !== 0) throw new Error(`put --client-side failed: ${result.stderr}`);
    return uri;
  }

  destroy(): void {
    this.aws.destroy();
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `text` as a regular expression that matches exactly it. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The request path of an s3:// URI as the CLI sends it to a path-style endpoint. */
export function requestPath(uri: string): string {
  return `/${uri.slice("s3://".length)}`;
}

export interface ProxiedRun {
  readonly result: CliResult;
  /** The object the run read, uploaded for it alone. */
  readonly uri: string;
  /** How many requests for that object reached the proxy. */
  readonly requests: number;
}

/**
 * Uploads `body` under a fresh key and runs exec on it through the fault
 * proxy, which answers `respond` to that key's requests (all, or the first
 * `times`); concurrent runs on the same proxy do not meet.
 */
export async function runViaProxy(
  fx: ExecFixture,
  proxy: FaultProxy,
  body: string,
  respond: FaultAction,
  options: { readonly times?: number } & Pick<ExecOptions, "flags" | "env"> = {},
): Promise<ProxiedRun> {
  const { times, ...exec } = options;
  const uri = await fx.put(body);
  const prefix = requestPath(uri);
  proxy.addRule({ match: { pathPrefix: prefix }, times, respond });
  const result = await runExec({ ...exec, sources: [uri], endpoint: proxy.url });
  const requests = proxy.requests.filter((r) => r.path.startsWith(prefix)).length;
  return { result, uri, requests };
}

export interface ExecOptions extends RunCliOptions {
  /** Options before the sources. */
  readonly flags?: readonly string[];
  readonly sources?: readonly string[];
  /** Default: /bin/true, an app that prints nothing. */
  readonly command?: readonly string[];
}

/** `s3-kms-env exec [flags] [sources] -- command`, run to completion. */
export function runExec(options: ExecOptions = {}): Promise<CliResult> {
  const { flags = [], sources = [], command = ["/bin/true"], ...cli } = options;
  return runCli(["exec", ...flags, ...sources, "--", ...command], cli);
}

/** An app that prints its whole environment as JSON on stdout. */
export const PRINT_ENV: readonly string[] = [
  nodeBinary(),
  "-e",
  "process.stdout.write(JSON.stringify(process.env))",
];

/** The environment the PRINT_ENV app saw; fails the test unless the run succeeded. */
export function childEnv(result: CliResult): Record<string, string> {
  expect({ exitCode: result.exitCode, signal: result.signal }).toEqual({
    exitCode: 0,
    signal: null,
  });
  return JSON.parse(result.stdout) as Record<string, string>;
}

/** Runs PRINT_ENV under exec and returns the environment the app saw. */
export async function execEnv(
  options: Omit<ExecOptions, "command">,
): Promise<Record<string, string>> {
  return childEnv(await runExec({ ...options, command: PRINT_ENV }));
}

/**
 * s3-kms-env's own failure: exactly one error line on stderr, nothing on
 * stdout, and a plain exit (never an abort with a native stack).
 */
export function expectFailure(
  result: CliResult,
  code: string,
  message: string,
  exitCode = 125,
): void {
  expect(result).toEqual({
    exitCode,
    signal: null,
    stdout: "",
    stderr: `s3-kms-env: error: ${message} (code=${code})\n`,
    timedOut: false,
  });
}

/** A process.execve failure aborts Node: exit 134 / SIGABRT, a native stack, "Aborted". */
export function expectNoAbort(result: CliResult): void {
  expect(result.signal).not.toBe("SIGABRT");
  expect(result.exitCode).not.toBe(134);
  expect(result.stderr).not.toMatch(/Aborted|core dumped|node::|FATAL ERROR|^\s+at /m);
}

/** A scratch directory for the files a test file creates; remove() in afterAll. */
export class ScratchDir {
  readonly path = mkdtempSync(path.join(tmpdir(), "s3-kms-env-test-"));
  private count = 0;

  /** A path in the directory that does not exist yet. */
  freshPath(name = "file"): string {
    this.count += 1;
    return path.join(this.path, `${this.count}-${name}`);
  }

  /** A new, empty directory. */
  dir(name = "dir"): string {
    const dir = this.freshPath(name);
    mkdirSync(dir);
    return dir;
  }

  /** Writes a file with the given mode (named exactly `name` when put in `dir`); returns its path. */
  file(name: string, content: string, mode: number, dir?: string): string {
    const file = dir === undefined ? this.freshPath(name) : path.join(dir, name);
    writeFileSync(file, content);
    chmodSync(file, mode);
    return file;
  }

  /**
   * An app that creates a marker file: ran() tells whether it ever started.
   * /usr/bin/touch, not a shell, so nothing but execve could create it.
   */
  marker(): { readonly command: readonly string[]; ran(): boolean } {
    const file = this.freshPath("marker");
    return { command: ["/usr/bin/touch", file], ran: () => existsSync(file) };
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/**
 * The KMS requests (their X-Amz-Target) of one successful run, counted at a
 * fault proxy of its own in front of moto.
 */
export async function kmsTargets(
  run: (endpoint: string) => Promise<CliResult>,
): Promise<(string | undefined)[]> {
  const proxy = await startFaultProxy(motoUrl());
  try {
    const result = await run(proxy.url);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toMatchObject({ exitCode: 0 });
    return proxy.requests.filter((r) => r.service === "kms").map((r) => r.target);
  } finally {
    await proxy.close();
  }
}
