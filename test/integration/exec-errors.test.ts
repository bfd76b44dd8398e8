// Every failure a user meets before the app starts: one line on stderr,
// `s3-kms-env: error: <what and what to do> (code=<CODE>)`, exit 125, and
// the app never runs. S3/KMS refusals that moto cannot produce come from the
// fault proxy, as AWS sends them.
import { readFileSync } from "node:fs";
import path from "node:path";
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
import {
  canary,
  ExecFixture,
  expectFailure,
  runExec,
  runViaProxy,
  ScratchDir,
  unusedPort,
  type ProxiedRun,
} from "../support/exec";
import { motoUrl } from "../support/moto";
import { runCli, type CliResult } from "../support/run-cli";

const BODY = "DB_USERNAME=app\nDB_PASSWORD=pw\n";

let fx: ExecFixture;
let scratch: ScratchDir;
let proxy: FaultProxy;
let uri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-errors");
  scratch = new ScratchDir();
  proxy = await startFaultProxy(motoUrl());
  uri = await fx.put(BODY);
});

afterAll(async () => {
  fx.destroy();
  scratch.remove();
  await proxy.close();
});

function viaProxy(
  respond: FaultAction,
  options: Parameters<typeof runViaProxy>[4] = {},
): Promise<ProxiedRun> {
  return runViaProxy(fx, proxy, BODY, respond, options);
}

async function elapsedMs<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, performance.now() - start];
}

describe("usage", () => {
  test.concurrent.each([
    [
      'no "--"',
      ["exec", "s3://bucket-x/app.env", "/bin/true"],
      'missing "--" before the command: s3-kms-env exec [s3://bucket/key …] -- command [args…]',
    ],
    ['nothing after "--"', ["exec", "s3://bucket-x/app.env", "--"], 'no command after "--"'],
    [
      "no source and no S3_KMS_ENV_URI",
      ["exec", "--", "/bin/true"],
      "no source: give s3://bucket/key before -- or set S3_KMS_ENV_URI",
    ],
  ])("%s: USAGE", async (_what, args, message) => {
    expectFailure(await runCli(args), "USAGE", message);
  });

  test.concurrent.each([
    ["--precedence", "image", '--precedence must be "file" or "env"'],
    ["--timeout", "soon", "--timeout must be a duration such as 10s, 500ms or 2m"],
    ["--max-size", "big", "--max-size must be a size such as 1048576, 512K or 4M"],
    ["--log-format", "xml", '--log-format must be "text" or "json"'],
  ])("%s %s: USAGE", async (option, value, message) => {
    expectFailure(await runExec({ flags: [option, value], sources: [uri] }), "USAGE", message);
  });

  test.concurrent("an unknown option: USAGE, naming the option", async () => {
    const result = await runExec({ flags: ["--bogus"], sources: [uri] });
    expectFailure(result, "USAGE", "unknown option --bogus; see --help");
  });

  test.concurrent(
    "a mistyped option: one line with the closest of exec's options, no advice to pass it on",
    async () => {
      const result = await runExec({ flags: ["--kms-keyid", "x"], sources: [uri] });
      expectFailure(
        result,
        "USAGE",
        "unknown option --kms-keyid; did you mean --kms-key-id? (see --help)",
      );
      expect(result.stderr).not.toContain('-- "');
    },
  );

  // util.parseArgs says this in three lines.
  test.concurrent("--timeout -5: one USAGE line saying how to pass it", async () => {
    const result = await runExec({ flags: ["--timeout", "-5"], sources: [uri] });
    expectFailure(
      result,
      "USAGE",
      '--timeout needs a value; to pass one that starts with "-", write --timeout=-5',
    );
  });

  test.concurrent("--timeout=-5: USAGE, the duration is not valid", async () => {
    const result = await runExec({ flags: ["--timeout=-5"], sources: [uri] });
    expectFailure(result, "USAGE", "--timeout must be a duration such as 10s, 500ms or 2m");
  });
});

describe("bad URI", () => {
  test.concurrent.each([
    ["https://bucket-x/app.env", "expected s3://bucket/key"],
    ["s3://bucket-x", "the object key is missing"],
    ["s3://bucket-x/", "the object key is missing"],
    ["s3://Bucket_X/app.env", "the bucket name is not a valid S3 bucket name"],
    ["s3://bucket-x/app.env?versionid=3", 'unknown query parameter "versionid"'],
    ["s3://bucket-x/app.env?versionId=", "versionId is empty"],
    ["s3://bucket-x/%E0%A4%A", "the object key has a malformed %-escape"],
  ])("%s: BAD_URI", async (bad, why) => {
    const result = await runExec({ sources: [bad] });
    expectFailure(result, "BAD_URI", `invalid source ${JSON.stringify(bad)}: ${why}`);
  });

  test.concurrent("in S3_KMS_ENV_URI: BAD_URI too", async () => {
    const result = await runExec({ env: { S3_KMS_ENV_URI: `${uri},s3:/bucket-x/a` } });
    expectFailure(result, "BAD_URI", 'invalid source "s3:/bucket-x/a": expected s3://bucket/key');
  });
});

describe("what is not there", () => {
  test.concurrent("no such bucket: NO_SUCH_BUCKET", async () => {
    const result = await runExec({ sources: [`s3://${fx.bucket}-gone/app.env`] });
    expectFailure(result, "NO_SUCH_BUCKET", `bucket "${fx.bucket}-gone" does not exist`);
  });

  test.concurrent("no such key: NO_SUCH_KEY", async () => {
    const missing = `s3://${fx.bucket}/never/written.env`;
    expectFailure(
      await runExec({ sources: [missing] }),
      "NO_SUCH_KEY",
      `${missing} does not exist`,
    );
  });

  test.concurrent("a deleted object: NO_SUCH_KEY", async () => {
    const deleted = await fx.put(BODY);
    await fx.aws.deleteObject(fx.bucket, deleted.slice(`s3://${fx.bucket}/`.length));
    expectFailure(
      await runExec({ sources: [deleted] }),
      "NO_SUCH_KEY",
      `${deleted} does not exist`,
    );
  });

  test.concurrent("no such version: NO_SUCH_VERSION", async () => {
    const missing = `${uri}?versionId=3b7f1a2e-0000-4000-8000-000000000000`;
    const result = await runExec({ sources: [missing] });
    expectFailure(result, "NO_SUCH_VERSION", `${missing}: no such object version`);
  });
});

describe("refusals by S3 and KMS", () => {
  test.concurrent("S3 denies access: S3_ACCESS_DENIED", async () => {
    const { result, uri: target } = await viaProxy(s3AccessDenied());
    expectFailure(
      result,
      "S3_ACCESS_DENIED",
      `${target}: access denied by S3 (s3:GetObject); check the role's policy and the bucket policy`,
    );
  });

  test.concurrent("KMS denies kms:Decrypt behind the GET: KMS_ACCESS_DENIED", async () => {
    const { result, uri: target } = await viaProxy(s3KmsAccessDenied(fx.kmsKey.arn));
    expectFailure(
      result,
      "KMS_ACCESS_DENIED",
      `${target}: KMS refused to decrypt the object (kms:Decrypt denied on its key); grant kms:Decrypt on the key to this role`,
    );
  });

  test.concurrent.each([
    ["disabled", s3KmsDisabled],
    [
      "pending deletion",
      (arn: string) => s3Error(400, "KMS.KMSInvalidStateException", `${arn} is pending deletion.`),
    ],
  ])("the object's key is %s: KMS_KEY_DISABLED", async (_state, answer) => {
    const response = answer(fx.kmsKey.arn);
    const code = /<Code>([^<]+)<\/Code>/.exec(response.body)?.[1] ?? "";
    const { result, uri: target } = await viaProxy(response);
    expectFailure(
      result,
      "KMS_KEY_DISABLED",
      `${target}: the object's KMS key is disabled or pending deletion (${code}); enable the key or re-encrypt the object`,
    );
  });

  test.concurrent.each(["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"])(
    "S3 rejects the credentials (%s): CREDENTIALS_REJECTED",
    async (code) => {
      const { result, uri: target } = await viaProxy(s3Error(403, code, "rejected"));
      expectFailure(
        result,
        "CREDENTIALS_REJECTED",
        `${target}: S3 rejected the credentials (${code}); refresh or fix them`,
      );
    },
  );

  test.concurrent("the bucket is in another region: WRONG_REGION, naming it", async () => {
    const redirect = s3Error(301, "PermanentRedirect", "The bucket is in this region: eu-west-1.");
    const { result, uri: target } = await viaProxy({
      ...redirect,
      headers: { ...redirect.headers, "x-amz-bucket-region": "eu-west-1" },
    });
    expectFailure(
      result,
      "WRONG_REGION",
      `${target}: the bucket is in eu-west-1; set AWS_REGION accordingly`,
    );
  });
});

describe("throttling is retried", () => {
  test.concurrent("SlowDown once, then the object: the app starts after 2 requests", async () => {
    const { result, requests } = await viaProxy(s3SlowDown(), { times: 1 });
    expect(result.exitCode).toBe(0);
    expect(requests).toBe(2);
  });

  // More than the SDK's default three attempts: on a 30% SlowDown fleet three lost ~2% of starts.
  test.concurrent(
    "SlowDown 4 times, then the object: the app starts after 5 requests",
    async () => {
      const { result, requests } = await viaProxy(s3SlowDown(), { times: 4 });
      expect(result.exitCode).toBe(0);
      expect(requests).toBe(5);
    },
  );

  test.concurrent(
    "SlowDown on every attempt: retried until --timeout, then THROTTLED (not TIMEOUT)",
    async () => {
      const {
        result,
        uri: target,
        requests,
      } = await viaProxy(s3SlowDown(), {
        flags: ["--timeout", "2s"],
      });
      expectFailure(result, "THROTTLED", `${target}: throttled by AWS (SlowDown) after retries`);
      expect(requests).toBeGreaterThanOrEqual(3);
    },
  );
});

describe("the network", () => {
  test.concurrent("a stalled S3 with --timeout 1s: TIMEOUT after about 1 s", async () => {
    const [{ result, uri: target }, ms] = await elapsedMs(() =>
      viaProxy({ stall: true }, { flags: ["--timeout", "1s"] }),
    );
    expectFailure(
      result,
      "TIMEOUT",
      `${target}: no answer from S3 within 1000 ms; check the network path or raise --timeout`,
    );
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(4000);
  });

  test.concurrent("S3_KMS_ENV_TIMEOUT=500ms bounds it the same way", async () => {
    const [{ result, uri: target }, ms] = await elapsedMs(() =>
      viaProxy({ stall: true }, { env: { S3_KMS_ENV_TIMEOUT: "500ms" } }),
    );
    expectFailure(
      result,
      "TIMEOUT",
      `${target}: no answer from S3 within 500 ms; check the network path or raise --timeout`,
    );
    expect(ms).toBeLessThan(3500);
  });

  test.concurrent(
    "without --timeout a stalled S3 still ends, at the 10 s default",
    async () => {
      const [{ result, uri: target }, ms] = await elapsedMs(() => viaProxy({ stall: true }));
      expectFailure(
        result,
        "TIMEOUT",
        `${target}: no answer from S3 within 10000 ms; check the network path or raise --timeout`,
      );
      expect(ms).toBeGreaterThanOrEqual(10_000);
    },
    20_000,
  );

  test.concurrent("nothing listens on the endpoint: NETWORK, naming it", async () => {
    const port = await unusedPort();
    const result = await runExec({
      flags: ["--timeout", "1s"],
      sources: [uri],
      endpoint: `http://127.0.0.1:${port}`,
    });
    expectFailure(result, "NETWORK", `${uri}: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
  });

  test.concurrent("the connection is reset once: the retry gets the object", async () => {
    const { result, requests } = await viaProxy({ destroy: true }, { times: 1 });
    expect(result.exitCode).toBe(0);
    expect(requests).toBe(2);
  });

  test.concurrent("the body does not match its stored checksum: INTEGRITY", async () => {
    const { result, uri: target } = await viaProxy({
      status: 200,
      headers: {
        "content-type": "binary/octet-stream",
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": fx.kmsKey.arn,
        "x-amz-checksum-crc32": "AAAAAA==",
        "x-amz-checksum-type": "FULL_OBJECT",
      },
      body: BODY,
    });
    expectFailure(
      result,
      "INTEGRITY",
      `${target}: the body does not match its stored CRC32 checksum; the object was corrupted in transit`,
    );
  });
});

describe("credentials and region", () => {
  const SPY = path.resolve(__dirname, "../support/connect-spy.mjs");

  /** Runs with the connect spy; returns the result and every connection or lookup it made. */
  async function spied(env: Record<string, string | undefined>): Promise<[CliResult, string[]]> {
    const log = scratch.freshPath("connections.log");
    const result = await runExec({
      sources: [uri],
      env: { ...env, NODE_OPTIONS: `--import ${SPY}`, CONNECT_SPY_LOG: log },
    });
    let lines: string[] = [];
    try {
      lines = readFileSync(log, "utf8").trim().split("\n");
    } catch {
      // No connection at all: the spy never wrote.
    }
    return [result, lines];
  }

  const NO_CREDENTIALS = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: "/nonexistent/aws/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws/credentials",
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_EC2_METADATA_DISABLED: "true",
  };

  test.concurrent(
    "the connect spy sees the CLI's request to S3 (so silence below means something)",
    async () => {
      const [result, connections] = await spied({});
      expect(result.exitCode).toBe(0);
      expect(connections).toEqual([JSON.stringify({ connect: new URL(motoUrl()).host })]);
    },
  );

  test.concurrent(
    "none anywhere (IMDS and ECS off): NO_CREDENTIALS, and no connection at all",
    async () => {
      const [result, connections] = await spied(NO_CREDENTIALS);
      expectFailure(
        result,
        "NO_CREDENTIALS",
        "no AWS credentials found (environment, profile, web identity, ECS or EC2 role): " +
          "give the container a role or set AWS_PROFILE",
      );
      expect(connections).toEqual([]);
    },
  );

  test.concurrent("an access key without its secret is not credentials", async () => {
    const [result, connections] = await spied({
      ...NO_CREDENTIALS,
      AWS_ACCESS_KEY_ID: canary("AKID"),
    });
    expect(result.stderr).toMatch(/\(code=NO_CREDENTIALS\)\n$/);
    expect(connections).toEqual([]);
  });

  test.concurrent("no region anywhere: NO_REGION", async () => {
    const result = await runExec({
      sources: [uri],
      env: {
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_CONFIG_FILE: "/nonexistent",
      },
    });
    expectFailure(
      result,
      "NO_REGION",
      "no AWS region configured: set AWS_REGION, or region in profile default",
    );
  });
});

describe("the file itself", () => {
  test.concurrent(
    "a line that is not NAME=value: PARSE with its line number, never its text",
    async () => {
      const secret = canary("LINE");
      const bad = await fx.put(`# comment\nDB_USERNAME=app\n\nDB_PASSWORD ${secret}\nOK=1\n`);
      const result = await runExec({ sources: [bad] });
      expectFailure(
        result,
        "PARSE",
        `${bad}: line 4: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*`,
      );
      expect(result.stderr).not.toContain(secret);
    },
  );

  test.concurrent("the line number counts the lines of a multiline value", async () => {
    const bad = await fx.put('CERT="-----BEGIN-----\nabc\n-----END-----"\nnot a line\n');
    const result = await runExec({ sources: [bad] });
    expect(result.stderr).toBe(
      `s3-kms-env: error: ${bad}: line 4: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]* (code=PARSE)\n`,
    );
  });

  test.concurrent("an unquoted value with '#' inside: PARSE (dotenv would cut it)", async () => {
    const bad = await fx.put("DB_USERNAME=app\nDB_PASSWORD=p#ss\n");
    expectFailure(
      await runExec({ sources: [bad] }),
      "PARSE",
      `${bad}: line 2: unquoted value contains '#', which dotenv reads as a comment; quote the value`,
    );
  });

  test.concurrent("a quote never closed: PARSE at the line it opens", async () => {
    const bad = await fx.put('A=1\nDB_PASSWORD="open\nB=2\n');
    expectFailure(
      await runExec({ sources: [bad] }),
      "PARSE",
      `${bad}: line 2: quoted value is never closed`,
    );
  });

  test.concurrent("a NUL byte: NUL_BYTE with its line number", async () => {
    const bad = await fx.put("A=1\nB=x\0y\n");
    expectFailure(
      await runExec({ sources: [bad] }),
      "NUL_BYTE",
      `${bad}: line 2: contains a NUL byte`,
    );
  });

  test.concurrent("invalid UTF-8: NOT_UTF8", async () => {
    const bad = await fx.put(Buffer.from([0x41, 0x3d, 0xff, 0xfe, 0x0a]));
    expectFailure(await runExec({ sources: [bad] }), "NOT_UTF8", `${bad} is not valid UTF-8`);
  });

  test.concurrent("larger than --max-size: TOO_LARGE", async () => {
    const result = await runExec({ flags: ["--max-size", "16"], sources: [uri] });
    expectFailure(
      result,
      "TOO_LARGE",
      `${uri} is larger than the 16-byte limit; raise --max-size if this is intended`,
    );
  });

  test.concurrent("S3_KMS_ENV_MAX_SIZE=1K: TOO_LARGE for a file of 1 KiB and a byte", async () => {
    const big = await fx.put(`A=${"x".repeat(1024 - 3)}\n`.padEnd(1025, "#"));
    const result = await runExec({ sources: [big], env: { S3_KMS_ENV_MAX_SIZE: "1K" } });
    expectFailure(
      result,
      "TOO_LARGE",
      `${big} is larger than the 1024-byte limit; raise --max-size if this is intended`,
    );
  });

  test.concurrent("a file of exactly --max-size bytes is accepted", async () => {
    const result = await runExec({ flags: ["--max-size", String(BODY.length)], sources: [uri] });
    expect(result.exitCode).toBe(0);
  });
});
