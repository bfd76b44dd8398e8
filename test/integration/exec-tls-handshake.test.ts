// The TLS handshake has a bound of its own, from the TCP connect: the
// per-attempt connect timeout (3 s) or half of what is left of --timeout,
// whichever is more. A server that accepts TCP and never answers the
// ClientHello costs that bound, not the whole --timeout, and the next attempt
// gets its chance inside the deadline; a server that answers late, but
// answers, is not cut off.
import { startConnectProxy, type ConnectProxy } from "../support/connect-proxy";
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
const proxies: ConnectProxy[] = [];

beforeAll(async () => {
  fx = await ExecFixture.create("exec-tls-handshake");
  tls = await startTlsProxy(motoUrl());
});

afterAll(async () => {
  fx.destroy();
  await Promise.all([...stalling, ...proxies].map((server) => server.close()));
  await tls.close();
});

async function stallingServer(stall: number, delayMs = 0): Promise<StallingServer> {
  const server = await startStallingServer(stall, tls.url, delayMs);
  stalling.push(server);
  return server;
}

async function connectProxy(answer = true): Promise<ConnectProxy> {
  const proxy = await startConnectProxy({ answer });
  proxies.push(proxy);
  return proxy;
}

async function timedExec(endpoint: string, uri: string, timeoutMs = TIMEOUT_MS, proxy?: string) {
  const started = Date.now();
  const result = await runExec({
    flags: ["--timeout", `${timeoutMs}ms`],
    sources: [uri],
    command: ["/bin/sh", "-c", 'printf %s "$DB_USERNAME"'],
    endpoint,
    env: {
      NODE_EXTRA_CA_CERTS: tls.caFile,
      ...(proxy === undefined ? {} : { HTTPS_PROXY: proxy }),
    },
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

test.concurrent(
  "a server that answers the ClientHello after 3.5 s: one connection, the app starts",
  async () => {
    const server = await stallingServer(0, 3500);
    const uri = await fx.put(BODY);
    // 10 s, the default: half of it is more than the 3 s connect timeout.
    const { result } = await timedExec(server.url, uri, 10_000);
    expect(result).toMatchObject({ exitCode: 0, stdout: "app" });
    expect(server.connections()).toBe(1);
  },
  TEST_TIMEOUT_MS,
);

describe("through an HTTPS_PROXY tunnel", () => {
  test.concurrent(
    "a handshake that stalls inside the tunnel: the second attempt starts the app within --timeout",
    async () => {
      const [server, proxy] = await Promise.all([stallingServer(1), connectProxy()]);
      const uri = await fx.put(BODY);
      const { result, ms } = await timedExec(server.url, uri, TIMEOUT_MS, proxy.url);
      expect(result).toMatchObject({ exitCode: 0, stdout: "app" });
      expect(server.connections()).toBe(2);
      expect(proxy.tunnels).toHaveLength(2);
      expect(ms).toBeLessThan(TIMEOUT_MS);
    },
    TEST_TIMEOUT_MS,
  );

  test.concurrent(
    "a proxy that never answers CONNECT: TIMEOUT at --timeout after at least 2 CONNECTs",
    async () => {
      const proxy = await connectProxy(false);
      const uri = await fx.put(BODY);
      const { result, ms } = await timedExec(tls.url, uri, TIMEOUT_MS, proxy.url);
      expect(result.exitCode).toBe(125);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^s3-kms-env: error: .*\(code=TIMEOUT\)\n$/);
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
      expect(ms).toBeLessThan(TIMEOUT_MS + 5000);
    },
    TEST_TIMEOUT_MS,
  );
});
