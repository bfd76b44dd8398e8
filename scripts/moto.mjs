#!/usr/bin/env node
// A local moto server (S3, KMS, STS, IAM) on 127.0.0.1 for development and tests.
//
//   eval "$(node scripts/moto.mjs start)"   # background server + AWS_* exports
//   node scripts/moto.mjs stop
//
// Test code imports startMoto() from here so the CLI and the tests share one
// start/readiness/stop path. Plain ESM without dependencies: runs on Node >= 20.
import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HOST = "127.0.0.1";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STATE_DIR = path.join(ROOT, ".moto");
const LOG_FILE = path.join(STATE_DIR, "moto.log");
const PID_FILE = path.join(STATE_DIR, "pid");
const PORT_FILE = path.join(STATE_DIR, "port");
// scripts/setup.sh installs moto into the project's own virtual environment
// (.venv: PEP 668 pips refuse system installs); MOTO_PYTHON names another Python.
const VENV_PYTHON = path.join(ROOT, ".venv/bin/python");
const PYTHON = process.env.MOTO_PYTHON || (existsSync(VENV_PYTHON) ? VENV_PYTHON : "python3");
// moto imports every service backend at start; a cold start takes a few seconds.
const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 50;
const STOP_GRACE_MS = 5_000;
// Another process can take the port between our probe and moto's bind.
const START_ATTEMPTS = 3;

// Runs moto.server in-process with a thread that exits when stdin reaches EOF,
// i.e. when the parent that holds the other end of the pipe is gone. Without
// it a crashed or killed test run would leave servers behind.
const TIED_TO_PARENT = [
  "import os, sys, threading",
  "from moto.server import main",
  "def watch():",
  "    sys.stdin.buffer.read()",
  "    os._exit(0)",
  "threading.Thread(target=watch, daemon=True).start()",
  "main(sys.argv[1:])",
].join("\n");

/** Shell lines that point the AWS SDKs and CLI at a moto server. */
export function exportLines(url) {
  return [
    `export AWS_ENDPOINT_URL=${url}`,
    "export AWS_REGION=us-east-1",
    "export AWS_ACCESS_KEY_ID=test",
    "export AWS_SECRET_ACCESS_KEY=test",
    "export AWS_EC2_METADATA_DISABLED=true",
  ].join("\n");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    // EPERM: the group exists but belongs to someone else.
    return error.code === "EPERM";
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== "ESRCH") throw error;
  }
}

/** SIGTERM the server's process group, SIGKILL it if it lingers. */
export async function stopGroup(pid) {
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + STOP_GRACE_MS;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) {
      signalGroup(pid, "SIGKILL");
      return;
    }
    await sleep(POLL_MS);
  }
}

async function answers(url) {
  try {
    const response = await fetch(`${url}/moto-api/data.json`, {
      signal: AbortSignal.timeout(1_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function spawnServer(port, { env, tiedToParent }) {
  mkdirSync(STATE_DIR, { recursive: true });
  // Appended, never inherited: several servers may share the log, and moto's
  // request lines must not end up in test output.
  const log = openSync(LOG_FILE, "a");
  try {
    const args = ["-H", HOST, "-p", String(port)];
    const argv = tiedToParent ? ["-c", TIED_TO_PARENT, ...args] : ["-m", "moto.server", ...args];
    // Own process group, so stop() reaches anything moto starts and a Ctrl-C
    // in the terminal that ran `start` does not.
    return spawn(PYTHON, argv, {
      detached: true,
      stdio: [tiedToParent ? "pipe" : "ignore", log, log],
      env: { ...process.env, ...env },
    });
  } finally {
    closeSync(log);
  }
}

async function waitReady(child, url) {
  let failure;
  child.once("error", (error) => (failure = error));
  child.once(
    "exit",
    (code, signal) =>
      (failure = new Error(`moto exited (${signal ?? code}) before answering; see ${LOG_FILE}`)),
  );
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(url))) {
    if (failure) throw failure;
    if (Date.now() > deadline)
      throw new Error(
        `moto did not answer on ${url} within ${READY_TIMEOUT_MS} ms; see ${LOG_FILE}`,
      );
    await sleep(POLL_MS);
  }
}

async function startOn(port, options) {
  const url = `http://${HOST}:${port}`;
  const child = spawnServer(port, options);
  try {
    await waitReady(child, url);
  } catch (error) {
    if (child.pid !== undefined) await stopGroup(child.pid);
    throw error;
  }
  // The server must not keep the caller's event loop alive (CLI exit, jest).
  child.unref();
  child.stdin?.unref?.();
  const pid = child.pid;
  return { url, port, pid, stop: () => stopGroup(pid) };
}

/**
 * Starts a moto server on 127.0.0.1 and resolves once it answers.
 * @param {{ port?: number, env?: Record<string, string>, tiedToParent?: boolean }} [options]
 *   env: extra variables for moto (e.g. INITIAL_NO_AUTH_ACTION_COUNT).
 *   tiedToParent (default true): the server exits when this process does.
 * @returns {Promise<{ url: string, port: number, pid: number, stop(): Promise<void> }>}
 */
export async function startMoto({ port, env = {}, tiedToParent = true } = {}) {
  const attempts = port === undefined ? START_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(port ?? (await freePort()), { env, tiedToParent });
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

function readState() {
  try {
    const pid = Number(readFileSync(PID_FILE, "utf8"));
    const port = Number(readFileSync(PORT_FILE, "utf8"));
    return Number.isInteger(pid) && Number.isInteger(port) ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

function clearState() {
  rmSync(PID_FILE, { force: true });
  rmSync(PORT_FILE, { force: true });
}

async function runningServer() {
  const state = readState();
  if (!state) return undefined;
  const url = `http://${HOST}:${state.port}`;
  if (groupAlive(state.pid) && (await answers(url))) return url;
  clearState();
  return undefined;
}

async function cliStart() {
  const running = await runningServer();
  if (running) return exportLines(running);
  const server = await startMoto({ tiedToParent: false });
  writeFileSync(PID_FILE, `${server.pid}\n`);
  writeFileSync(PORT_FILE, `${server.port}\n`);
  return exportLines(server.url);
}

async function cliStop() {
  const state = readState();
  if (state) await stopGroup(state.pid);
  clearState();
  return "";
}

async function cli(command) {
  const commands = { start: cliStart, stop: cliStop };
  const run = commands[command];
  if (!run) {
    process.stderr.write("usage: node scripts/moto.mjs start|stop\n");
    return 2;
  }
  const output = await run();
  if (output) process.stdout.write(`${output}\n`);
  return 0;
}

function isMain() {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (isMain()) {
  cli(process.argv[2]).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`moto: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
