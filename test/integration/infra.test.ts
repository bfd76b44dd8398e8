// Specification of the integration-test infrastructure itself: the shared moto
// server, the fault proxy and its canned AWS errors, the CLI environment.
import { DecryptCommand, EncryptCommand } from "@aws-sdk/client-kms";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { TestAws, uniqueBucket } from "../support/aws";
import {
  EXAMPLE_PRINCIPAL,
  kmsDisabled,
  s3Error,
  s3KmsAccessDenied,
  startFaultProxy,
  type FaultProxy,
} from "../support/fault-proxy";
import { motoUrl, startMoto } from "../support/moto";
import { cliEnv, expectNoLeak } from "../support/run-cli";

const ENV_KEY = "app/prod.env";
const ENV_BODY = "DB_PASSWORD=canary-4f1e\n";

let moto: TestAws;
let bucket: string;
let key: { keyId: string; arn: string };

beforeAll(async () => {
  moto = new TestAws();
  bucket = await moto.createBucket(uniqueBucket("infra"), { versioning: true });
  key = await moto.createKmsKey({ description: "infra test" });
  await moto.putEnvObject(bucket, ENV_KEY, ENV_BODY, { sse: "aws:kms", kmsKeyId: key.arn });
});

afterAll(() => moto.destroy());

async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work().catch(() => undefined);
  return performance.now() - start;
}

describe("shared moto server", () => {
  it("is started by globalSetup on 127.0.0.1 and answers", async () => {
    expect(motoUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${motoUrl()}/moto-api/data.json`);
    expect(response.status).toBe(200);
  });

  it("echoes SSE-KMS and the key ARN on GET", async () => {
    const object = await moto.getObject(bucket, ENV_KEY);
    expect(object).toMatchObject({
      body: ENV_BODY,
      serverSideEncryption: "aws:kms",
      kmsKeyId: key.arn,
    });
  });
});

describe("startMoto", () => {
  it("passes extra env to a separate server: INITIAL_NO_AUTH_ACTION_COUNT turns IAM enforcement on", async () => {
    const server = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: "0" } });
    const strict = new TestAws({ endpoint: server.url });
    try {
      expect(server.url).not.toBe(motoUrl());
      await expect(strict.s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      strict.destroy();
      await server.stop();
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });
});

describe("fault proxy", () => {
  let proxy: FaultProxy;
  let viaProxy: TestAws;

  beforeEach(async () => {
    proxy = await startFaultProxy(motoUrl());
    viaProxy = new TestAws({ endpoint: proxy.url });
  });

  afterEach(async () => {
    viaProxy.destroy();
    await proxy.close();
  });

  it("forwards a real S3 GetObject to moto and streams the answer back", async () => {
    const object = await viaProxy.getObject(bucket, ENV_KEY);
    expect(object).toMatchObject({
      body: ENV_BODY,
      serverSideEncryption: "aws:kms",
      kmsKeyId: key.arn,
    });
    expect(proxy.requests).toEqual([
      {
        method: "GET",
        path: `/${bucket}/${ENV_KEY}?x-id=GetObject`,
        service: "s3",
        target: undefined,
      },
    ]);
  });

  it("answers a rule's canned AccessDenied (403) exactly `times` times, then forwards", async () => {
    proxy.addRule({
      match: { service: "s3", method: "GET" },
      times: 1,
      respond: s3KmsAccessDenied(key.arn),
    });

    await expect(viaProxy.getObject(bucket, ENV_KEY)).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: ${EXAMPLE_PRINCIPAL} is not authorized to perform: kms:Decrypt on resource: ${key.arn} because no identity-based policy allows the kms:Decrypt action`,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(viaProxy.getObject(bucket, ENV_KEY)).resolves.toMatchObject({ body: ENV_BODY });
    expect(proxy.requests).toHaveLength(2);
  });

  it("sends the canned S3 error exactly as S3 does on the wire", async () => {
    proxy.addRule({
      match: { pathPrefix: "/wire" },
      respond: s3Error(503, "SlowDown", "Please reduce your request rate."),
    });

    const response = await fetch(`${proxy.url}/wire/x`);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/xml");
    expect(await response.text()).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>SlowDown<\/Code><Message>Please reduce your request rate\.<\/Message><RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
    );
  });

  it("answers a KMS JSON error for one X-Amz-Target only", async () => {
    proxy.addRule({ match: { target: "TrentService.Decrypt" }, respond: kmsDisabled(key.arn) });

    const { CiphertextBlob } = await viaProxy.kms.send(
      new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from("x") }),
    );
    await expect(viaProxy.kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: "DisabledException",
      message: `${key.arn} is disabled.`,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("attributes requests to s3 or kms", async () => {
    const { CiphertextBlob } = await viaProxy.kms.send(
      new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from("x") }),
    );
    await viaProxy.kms.send(new DecryptCommand({ CiphertextBlob }));
    await viaProxy.getObject(bucket, ENV_KEY);

    expect(proxy.requests.map(({ service, target }) => ({ service, target }))).toEqual([
      { service: "kms", target: "TrentService.Encrypt" },
      { service: "kms", target: "TrentService.Decrypt" },
      { service: "s3", target: undefined },
    ]);
  });

  it("stalls a request until the client's own timeout gives up", async () => {
    proxy.addRule({ match: { service: "s3" }, respond: { stall: true } });
    const impatient = new TestAws({ endpoint: proxy.url, requestTimeout: 300 });
    try {
      const took = await elapsed(async () => {
        await expect(impatient.getObject(bucket, ENV_KEY)).rejects.toMatchObject({
          name: "TimeoutError",
        });
      });
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(5_000);
    } finally {
      impatient.destroy();
    }
  });

  it("resets the connection for a destroy rule", async () => {
    proxy.addRule({ match: { service: "s3" }, times: 1, respond: { destroy: true } });

    await expect(viaProxy.getObject(bucket, ENV_KEY)).rejects.toThrow(/ECONNRESET/);
    await expect(viaProxy.getObject(bucket, ENV_KEY)).resolves.toMatchObject({ body: ENV_BODY });
  });

  it("forwards after the pause of a delay rule", async () => {
    proxy.addRule({ match: { service: "s3" }, respond: { delayMs: 400, thenForward: true } });

    let body = "";
    const took = await elapsed(async () => {
      body = (await viaProxy.getObject(bucket, ENV_KEY)).body;
    });
    expect(body).toBe(ENV_BODY);
    expect(took).toBeGreaterThanOrEqual(390);
  });

  it("closes promptly while a request is stalled", async () => {
    proxy.addRule({ match: {}, respond: { stall: true } });
    const pending = fetch(`${proxy.url}/stalled`);

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await elapsed(() => proxy.close())).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
  });
});

describe("CLI environment", () => {
  it("keeps the developer's AWS_* variables out and lets a test remove a default", () => {
    const saved = process.env.AWS_PROFILE;
    process.env.AWS_PROFILE = "developer-profile";
    try {
      const env = cliEnv({ env: { AWS_REGION: undefined, EXTRA: "1" } });
      expect(env).not.toHaveProperty("AWS_PROFILE");
      expect(env).not.toHaveProperty("AWS_REGION");
      expect(env).toMatchObject({
        AWS_ENDPOINT_URL: motoUrl(),
        AWS_ACCESS_KEY_ID: "test",
        EXTRA: "1",
      });
      expect(env.HOME).not.toBe(process.env.HOME);
    } finally {
      if (saved === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = saved;
    }
  });

  it("expectNoLeak fails when a canary shows in stdout or stderr", () => {
    expect(() => expectNoLeak({ stdout: "ok\n", stderr: "" }, ["canary-4f1e"])).not.toThrow();
    expect(() =>
      expectNoLeak({ stdout: "", stderr: "DB_PASSWORD=canary-4f1e" }, ["canary-4f1e"]),
    ).toThrow();
  });
});
