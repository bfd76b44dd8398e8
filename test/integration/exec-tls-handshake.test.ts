// The per-attempt connect timeout (3 s) covers the TLS handshake, not only
// the TCP connect: a server that accepts TCP and never answers the
// ClientHello costs one connect timeout, and the next attempt gets its chance
// inside --timeout.
import { ExecFixture } from "../support/exec";
import { motoUrl } from "../support/moto";
import { runExec } from "../support/exec";
import {
  startStallingServer,
  startTlsProxy,
  type StallingServer,
  type TlsProxy,
} from "../support/tls-proxy";

const BODY = "DB_USERNAME=app\n";
// Above the 3 s connect timeout, with room for the second attempt after it.
const TIMEOUT_MS = 6000;
// Jest's own bound for a test.concurrent (the project's testTimeout does not reach it).
const TEST_TIMEOUT_MS = 30_000;

let fx: ExecFixture;
let tls: TlsProxy;
const stalling: StallingServer[] = [];

beforeAll(async () => {
  fx = await ExecFixture.create("exec-tls-handshake");
  tls = await startTlsProxy(motoUrl());
});

afterAll(async () => {
  fx.destroy();
  await Promise.all(stalling.map((server) => server.close()));
  await tls.close();
});

async function stallingServer(stall: number): Promise<StallingServer> {
  const server = await startStallingServer(stall, tls.url);
  stalling.push(server);
  return server;
}

async function timedExec(endpoint: string, uri: string) {
  const started = Date.now();
  const result = await runExec({
    flags: ["--timeout", `${TIMEOUT_MS}ms`],
    sources: [uri],
    command: ["/bin/sh", "-c", 'printf %s "$DB_USERNAME"'],
    endpoint,
    env: { NODE_EXTRA_CA_CERTS: tls.caFile },
    timeoutMs: 30_000,
  });
  return { result, ms: Date.now() - started };
}

test.concurrent(
  "a first connection whose handshake stalls: the second attempt starts the app within --timeout",
  async () => {
    const server = await stallingServer(1);
    const uri = await fx.put(BODY);
    const { result, ms } = await timedExec(server.url, uri);
    expect(result).toMatchObject({ exitCode: 0, stdout: "app" });
    expect(result.stderr).toMatch(/^s3-kms-env: loaded 1 variable \(/);
    expect(server.connections()).toBe(2);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  "a server that always stalls the handshake: TIMEOUT at --timeout after at least 2 attempts",
  async () => {
    const server = await stallingServer(Infinity);
    const uri = await fx.put(BODY);
    const { result, ms } = await timedExec(server.url, uri);
    expect(result.exitCode).toBe(125);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^s3-kms-env: error: .*\(code=(TIMEOUT|NETWORK)\)\n$/);
    expect(server.connections()).toBeGreaterThanOrEqual(2);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(TIMEOUT_MS + 5000);
  },
  TEST_TIMEOUT_MS,
);
