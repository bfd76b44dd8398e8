// The AWS settings people already have, against real servers on loopback:
// a custom endpoint reached by a host name (an /etc/hosts entry in a private
// mount namespace), a TLS endpoint with a private CA (AWS_CA_BUNDLE, a
// profile's ca_bundle), an HTTP CONNECT proxy of the test's own that records
// what went through it, and profile files in a temp HOME — for exec and get.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startConnectProxy, type ConnectProxy } from "../support/connect-proxy";
import { execEnv } from "../support/exec";
import { motoUrl } from "../support/moto";
import { canary, opsWorld, type OpsWorld } from "../support/ops";
import { expectNoLeak, runCli, type RunCliOptions } from "../support/run-cli";
import { makeCertificates, startTlsProxy, type TlsProxy } from "../support/tls-proxy";

let world: OpsWorld;
let uri: string;
let tls: TlsProxy;
const secret = canary("field");
const motoPort = () => new URL(motoUrl()).port;

beforeAll(async () => {
  world = await opsWorld("field");
  await world.aws.putEnvObject(world.bucket, "app.env", `FIELD_SECRET=${secret}\n`, {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  });
  uri = `s3://${world.bucket}/app.env`;
  tls = await startTlsProxy(motoUrl());
});
afterAll(async () => {
  await tls.close();
  world.aws.destroy();
});

/** A HOME with ~/.aws/config holding `config`. */
function home(config: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-field-"));
  mkdirSync(path.join(dir, ".aws"));
  writeFileSync(path.join(dir, ".aws", "config"), config);
  return dir;
}

/** Runs the CLI with `minio` resolving to 127.0.0.1 (its own /etc/hosts, in a private mount namespace). */
function withHostName(): RunCliOptions["wrapper"] {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-hosts-"));
  const hosts = path.join(dir, "hosts");
  writeFileSync(hosts, "127.0.0.1 localhost minio\n");
  return [
    "unshare",
    "--mount",
    "--map-root-user",
    "sh",
    "-c",
    'mount --bind "$0" /etc/hosts && exec "$@"',
    hosts,
  ];
}

async function expectExecReads(options: RunCliOptions): Promise<void> {
  const env = await execEnv({ ...options, sources: [uri] });
  expect(env.FIELD_SECRET).toBe(secret);
}

async function expectGetReads(options: RunCliOptions): Promise<void> {
  const result = await runCli(["get", "-q", uri], options);
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: "" });
  expect(result.stdout).toBe(`FIELD_SECRET bytes=${secret.length}\n`);
  expectNoLeak(result, [secret]);
}

describe("a custom endpoint named by a host name (docker-compose style)", () => {
  const options = (): RunCliOptions => ({
    endpoint: `http://minio:${motoPort()}`,
    wrapper: withHostName(),
  });
  test("exec reads through http://minio:PORT (path style)", () => expectExecReads(options()));
  test("get reads through http://minio:PORT (path style)", () => expectGetReads(options()));

  test("--addressing-style virtual sends bucket.minio, which does not resolve, and names that host", async () => {
    const result = await runCli(
      ["exec", "-q", "--addressing-style", "virtual", "--timeout", "2s", uri, "--", "/bin/true"],
      options(),
    );
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(
      new RegExp(`cannot reach ${world.bucket}\\.minio:${motoPort()} \\((ENOTFOUND|EAI_AGAIN)\\)`),
    );
  });
});

describe("profile files in a temp HOME", () => {
  const profile = (config: string): RunCliOptions => ({
    env: { HOME: home(config), AWS_ENDPOINT_URL: undefined, AWS_REGION: undefined },
    wrapper: withHostName(),
  });
  const viaEndpointUrl = () =>
    profile(`[default]\nregion = us-east-1\nendpoint_url = http://minio:${motoPort()}\n`);
  const viaServices = () =>
    profile(
      `[default]\nregion = us-east-1\nservices = local\n` +
        `[services local]\ns3 =\n  endpoint_url = http://minio:${motoPort()}\n`,
    );
  test("exec: profile endpoint_url and region", () => expectExecReads(viaEndpointUrl()));
  test("get: profile endpoint_url and region", () => expectGetReads(viaEndpointUrl()));
  test("exec: a services section", () => expectExecReads(viaServices()));
  test("get: a services section", () => expectGetReads(viaServices()));

  test("exec and get: AWS_DEFAULT_REGION alone is enough", async () => {
    const options = { env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: "us-east-1" } };
    await expectExecReads(options);
    await expectGetReads(options);
  });

  test("addressing_style = path in the profile's s3 section", async () => {
    const options = profile(
      `[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:${motoPort()}\n` +
        `s3 =\n  addressing_style = path\n`,
    );
    await expectExecReads(options);
    await expectGetReads(options);
  });
});

describe("a TLS endpoint with a private CA", () => {
  const refusal = (subject: string) =>
    `s3-kms-env: error: ${uri}: the TLS certificate of ${subject} was refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE); ` +
    "give the CA that issued it in AWS_CA_BUNDLE (or a profile's ca_bundle, or NODE_EXTRA_CA_CERTS) (code=TLS_CERTIFICATE)\n";

  test("get without the CA: TLS_CERTIFICATE, saying where the CA goes", async () => {
    const result = await runCli(["get", "-q", uri], { endpoint: tls.url });
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 125,
      stderr: refusal("the S3 endpoint"),
    });
  });

  test("exec without the CA: TLS_CERTIFICATE on the first refusal, not retried until --timeout", async () => {
    const before = tls.attempts();
    const result = await runCli(
      ["exec", "--timeout", "20s", "--kms-key-id", world.key.arn, uri, "--", "/bin/true"],
      { endpoint: tls.url },
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 125,
      stderr: refusal(new URL(tls.url).host),
    });
    expect(tls.attempts() - before).toBe(1);
  });

  test("exec: a certificate for another host name is TLS_CERTIFICATE, pointing at the endpoint", async () => {
    const result = await runCli(
      ["exec", "--timeout", "20s", "--kms-key-id", world.key.arn, uri, "--", "/bin/true"],
      {
        endpoint: `https://minio:${new URL(tls.url).port}`,
        env: { AWS_CA_BUNDLE: tls.caFile },
        wrapper: withHostName(),
      },
    );
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toBe(
      `s3-kms-env: error: ${uri}: the TLS certificate of minio:${new URL(tls.url).port} was refused (ERR_TLS_CERT_ALTNAME_INVALID); ` +
        "it was issued for another host name: check the endpoint (code=TLS_CERTIFICATE)\n",
    );
  });
  const bundle = (): RunCliOptions => ({ endpoint: tls.url, env: { AWS_CA_BUNDLE: tls.caFile } });
  test("exec trusts AWS_CA_BUNDLE", () => expectExecReads(bundle()));
  test("get trusts AWS_CA_BUNDLE", () => expectGetReads(bundle()));
  const profileBundle = (): RunCliOptions => ({
    endpoint: tls.url,
    env: { HOME: home(`[default]\nca_bundle = ${tls.caFile}\n`) },
  });
  test("exec trusts a profile's ca_bundle", () => expectExecReads(profileBundle()));
  test("get trusts a profile's ca_bundle", () => expectGetReads(profileBundle()));

  test("a missing bundle file is named, with where it came from", async () => {
    const result = await runCli(["get", "-q", uri], {
      endpoint: tls.url,
      env: { AWS_CA_BUNDLE: "/nonexistent/ca.pem" },
    });
    expect(result.stderr).toBe(
      "s3-kms-env: error: cannot read the CA bundle /nonexistent/ca.pem from AWS_CA_BUNDLE (ENOENT) (code=AWS_CONFIG)\n",
    );
  });
});

describe("an HTTP CONNECT proxy", () => {
  let proxy: ConnectProxy;
  beforeEach(async () => {
    proxy = await startConnectProxy();
  });
  afterEach(() => proxy.close());
  const tlsPort = () => new URL(tls.url).port;

  test.each(["exec", "get"])("%s: HTTPS_PROXY carries the TLS connection", async (command) => {
    const options = {
      endpoint: tls.url,
      env: { AWS_CA_BUNDLE: tls.caFile, HTTPS_PROXY: proxy.url },
    };
    await (command === "exec" ? expectExecReads(options) : expectGetReads(options));
    expect(proxy.tunnels).toContain(`127.0.0.1:${tlsPort()}`);
  });

  test.each(["exec", "get"])("%s: https_proxy (lower case) too", async (command) => {
    const options = {
      endpoint: tls.url,
      env: { AWS_CA_BUNDLE: tls.caFile, https_proxy: proxy.url },
    };
    await (command === "exec" ? expectExecReads(options) : expectGetReads(options));
    expect(proxy.tunnels).toContain(`127.0.0.1:${tlsPort()}`);
  });

  test.each(["exec", "get"])("%s: HTTP_PROXY for an http endpoint", async (command) => {
    const options = { env: { HTTP_PROXY: proxy.url } };
    await (command === "exec" ? expectExecReads(options) : expectGetReads(options));
    expect(proxy.tunnels).toContain(`127.0.0.1:${motoPort()}`);
  });

  test.each(["exec", "get"])(
    "%s: an https:// proxy is trusted through AWS_CA_BUNDLE, as the endpoint is",
    async (command) => {
      const certificates = makeCertificates();
      const secure = await startConnectProxy({ certificates });
      try {
        // One bundle with the corporate roots: the endpoint's and the proxy's.
        const bundle = path.join(certificates.dir, "corporate-roots.pem");
        writeFileSync(
          bundle,
          Buffer.concat([readFileSync(tls.caFile), readFileSync(certificates.caFile)]),
        );
        const options = {
          endpoint: tls.url,
          env: { AWS_CA_BUNDLE: bundle, HTTPS_PROXY: secure.url },
        };
        await (command === "exec" ? expectExecReads(options) : expectGetReads(options));
        expect(secure.tunnels).toContain(`127.0.0.1:${tlsPort()}`);
      } finally {
        await secure.close();
        rmSync(certificates.dir, { recursive: true, force: true });
      }
    },
  );

  test.each(["exec", "get"])("%s: NO_PROXY keeps the endpoint direct", async (command) => {
    const options = {
      endpoint: tls.url,
      env: { AWS_CA_BUNDLE: tls.caFile, HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" },
    };
    await (command === "exec" ? expectExecReads(options) : expectGetReads(options));
    expect(proxy.tunnels).toEqual([]);
  });
});

describe("a proxy that answers CONNECT with an error, or cannot be used", () => {
  let proxy: ConnectProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  const tunnel = () => `127.0.0.1:${new URL(tls.url).port}`;
  const run = (command: string, proxyUrl: string) =>
    runCli(
      command === "exec"
        ? ["exec", "--timeout", "3s", "--kms-key-id", world.key.arn, uri, "--", "/bin/true"]
        : ["get", "-q", uri],
      { endpoint: tls.url, env: { AWS_CA_BUNDLE: tls.caFile, HTTPS_PROXY: proxyUrl } },
    );

  test.each(["exec", "get"])(
    "%s: a 403 is the proxy's refusal, not S3 denying access, and is not retried",
    async (command) => {
      proxy = await startConnectProxy({ status: 403 });
      const result = await run(command, proxy.url);
      expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({
        exitCode: 125,
        stdout: "",
      });
      expect(result.stderr).toBe(
        `s3-kms-env: error: the proxy ${proxy.url} refused a tunnel to ${tunnel()} (HTTP 403); check the proxy's rules, or exempt the host with NO_PROXY (code=PROXY_REFUSED)\n`,
      );
      expect(proxy.tunnels).toHaveLength(1);
    },
  );

  test.each(["exec", "get"])(
    "%s: a 407 without credentials says where to give them",
    async (command) => {
      proxy = await startConnectProxy({ status: 407 });
      const result = await run(command, proxy.url);
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toBe(
        `s3-kms-env: error: the proxy ${proxy.url} asks for credentials (HTTP 407); give them in HTTPS_PROXY as http://USER:PASSWORD@${new URL(proxy.url).host} (code=PROXY_REFUSED)\n`,
      );
    },
  );

  test.each(["exec", "get"])(
    "%s: a 407 with credentials in the proxy URL never prints them",
    async (command) => {
      proxy = await startConnectProxy({ status: 407 });
      const password = canary("proxy-password");
      const withCredentials = proxy.url.replace("//", `//ops:${password}@`);
      const result = await run(command, withCredentials);
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toBe(
        `s3-kms-env: error: the proxy ${proxy.url} asks for credentials (HTTP 407); it refused those in HTTPS_PROXY (code=PROXY_REFUSED)\n`,
      );
      expectNoLeak(result, [password]);
    },
  );

  test.each(["exec", "get"])(
    "%s: a socks5:// proxy is refused, not bypassed, and its password never printed",
    async (command) => {
      const password = canary("socks-password");
      const result = await run(command, `socks5://ops:${password}@127.0.0.1:1080`);
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toBe(
        "s3-kms-env: error: HTTPS_PROXY names a socks5:// proxy; only http:// and https:// proxies are supported (code=AWS_CONFIG)\n",
      );
      expectNoLeak(result, [password]);
    },
  );

  test.each(["exec", "get"])(
    "%s: an https:// proxy whose certificate is not trusted: TLS_CERTIFICATE naming the proxy",
    async (command) => {
      const certificates = makeCertificates();
      proxy = await startConnectProxy({ certificates });
      const host = new URL(proxy.url).host;
      const result = await run(command, proxy.url);
      rmSync(certificates.dir, { recursive: true, force: true });
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 125,
        stderr:
          `s3-kms-env: error: proxy ${proxy.url}: the TLS certificate of ${host} was refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE); ` +
          "give the CA that issued it in AWS_CA_BUNDLE (or a profile's ca_bundle, or NODE_EXTRA_CA_CERTS) (code=TLS_CERTIFICATE)\n",
      });
      expect(proxy.tunnels).toEqual([]);
    },
  );

  test("exec: a 502 (the proxy cannot reach S3) is retried within --timeout, then named", async () => {
    proxy = await startConnectProxy({ status: 502 });
    const result = await run("exec", proxy.url);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toBe(
      `s3-kms-env: error: the proxy ${proxy.url} could not open a tunnel to ${tunnel()} (HTTP 502); check that the proxy can reach it (code=PROXY_ERROR)\n`,
    );
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
  });
});
