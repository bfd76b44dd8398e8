// exec with sealed sources: put --client-side then exec injects it; sealed
// file:// sources; --require-sealed; a sealed object moved, tampered with or
// sealed under an untrusted key is refused; one KMS Decrypt per sealed source
// and none for a plain start; no value in any output.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import {
  ExecFixture,
  PRINT_ENV,
  ScratchDir,
  canary,
  childEnv,
  execEnv,
  expectFailure,
  kmsTargets,
  runExec,
} from "../support/exec";
import { TEST_REGION } from "../support/aws";
import { startConnectProxy } from "../support/connect-proxy";
import {
  kmsAccessDenied,
  kmsDisabled,
  kmsError,
  kmsThrottling,
  startFaultProxy,
  type FaultAction,
  type FaultProxy,
} from "../support/fault-proxy";
import { motoUrl } from "../support/moto";
import { expectNoLeak, runCli } from "../support/run-cli";
import { startTlsProxy } from "../support/tls-proxy";

let fx: ExecFixture;
let scratch: ScratchDir;
const secret = canary("SEALED");
const plaintext = `APP_SECRET=${secret}\n`;
let plainFile: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-sealed");
  scratch = new ScratchDir();
  plainFile = scratch.file("app.env", plaintext, 0o600);
});
afterAll(() => {
  fx.destroy();
  scratch.remove();
});

/** `put --client-side` of plainFile under a fresh key; returns its URI. */
async function putSealed(extra: readonly string[] = []): Promise<string> {
  const uri = `s3://${fx.bucket}/${fx.freshKey()}`;
  const result = await runCli([
    "put",
    "-q",
    "--client-side",
    "--kms-key-id",
    fx.kmsKey.arn,
    ...extra,
    plainFile,
    uri,
  ]);
  expect(result.exitCode).toBe(0);
  expectNoLeak(result, [secret]);
  return uri;
}

/** `seal` of plainFile as text, with extra arguments. */
async function sealed(args: readonly string[]): Promise<string> {
  const result = await runCli(["seal", "-q", ...args, plainFile]);
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

describe("exec injects sealed sources", () => {
  test("put --client-side, then exec gives the app the variables", async () => {
    const uri = await putSealed();
    const env = await execEnv({ sources: [uri] });
    expect(env.APP_SECRET).toBe(secret);
  });

  test("put --client-side marks the object in its metadata and keeps SSE-KMS", async () => {
    const uri = await putSealed();
    const key = uri.slice(`s3://${fx.bucket}/`.length);
    const head = await fx.aws.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key }));
    expect(head).toMatchObject({
      Metadata: { "s3-kms-env-sealed": "aws-encryption-sdk" },
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: fx.kmsKey.arn,
    });
  });

  test("the loaded line names the sealing key", async () => {
    const uri = await putSealed();
    const result = await runExec({ sources: [uri] });
    expect(result.stderr).toMatch(
      new RegExp(`sources=${uri} version=\\S+ kms=${fx.kmsKey.arn} sealed=${fx.kmsKey.arn} ms=`),
    );
  });

  test("--log-format json: the start event names each source's sealing key", async () => {
    const uri = await putSealed();
    const result = await runExec({ flags: ["--log-format", "json"], sources: [uri] });
    const event = JSON.parse(result.stderr) as { sources: unknown[] };
    expect(event.sources).toEqual([
      expect.objectContaining({ uri, kmsKeyArn: fx.kmsKey.arn, sealedKmsKeyArn: fx.kmsKey.arn }),
    ]);
  });

  test("a sealed file:// source, with the --context it was sealed with", async () => {
    const file = scratch.file(
      "app.env.sealed",
      await sealed(["--kms-key-id", fx.kmsKey.arn, "--context", "app=api"]),
      0o644,
    );
    const env = await execEnv({ flags: ["--context", "app=api"], sources: [`file://${file}`] });
    expect(env.APP_SECRET).toBe(secret);
  });

  test("a sealed file detected by its header without the metadata mark", async () => {
    const key = fx.freshKey();
    const text = await sealed([
      "--kms-key-id",
      fx.kmsKey.arn,
      "--s3-object",
      `s3://${fx.bucket}/${key}`,
    ]);
    const uri = await fx.put(text, { key });
    const env = await execEnv({ flags: ["--require-sealed"], sources: [uri] });
    expect(env.APP_SECRET).toBe(secret);
  });
});

describe("--discovery-account", () => {
  /** An object under the fixture's SSE key, sealed under a key nobody names. */
  async function sealedUnderAnotherKey(): Promise<{ uri: string; arn: string }> {
    const { arn } = await fx.aws.createKmsKey({ description: "exec-sealed discovery" });
    const key = fx.freshKey();
    const uri = `s3://${fx.bucket}/${key}`;
    await fx.put(await sealed(["--kms-key-id", arn, "--s3-object", uri]), { key });
    return { uri, arn };
  }

  test("opens a source sealed under any key of the named account", async () => {
    const { uri } = await sealedUnderAnotherKey();
    const account = fx.kmsKey.arn.split(":")[4] ?? "";
    const env = await execEnv({
      flags: ["--kms-key-id", fx.kmsKey.arn, "--discovery-account", account],
      sources: [uri],
    });
    expect(env.APP_SECRET).toBe(secret);
  });

  test("refuses one sealed under a key of another account", async () => {
    const { uri, arn } = await sealedUnderAnotherKey();
    const result = await runExec({
      flags: ["--kms-key-id", fx.kmsKey.arn, "--discovery-account", "999999999999"],
      sources: [uri],
    });
    expectFailure(
      result,
      "SEALED_KEY_NOT_TRUSTED",
      `${uri} is sealed with ${arn}, not a trusted key (trusted accounts: 999999999999); refusing to open it. Name its key with --kms-key-id only if you know who can seal with it`,
    );
  });
});

describe("refusals", () => {
  test("a plain file:// source", async () => {
    const result = await runExec({ sources: [`file://${plainFile}`], command: PRINT_ENV });
    expectFailure(
      result,
      "NOT_SEALED",
      `file://${plainFile} is not sealed, and a file:// source must be; seal it with "s3-kms-env seal" (or put --client-side)`,
    );
    expectNoLeak(result, [secret]);
  });

  test("--require-sealed refuses a plain S3 object", async () => {
    const uri = await fx.put(plaintext);
    const result = await runExec({ flags: ["--require-sealed"], sources: [uri] });
    expectFailure(
      result,
      "NOT_SEALED",
      `${uri} is not sealed, and --require-sealed is set; seal it with "s3-kms-env seal" (or put --client-side)`,
    );
  });

  test("a sealed object copied to another key", async () => {
    const original = await putSealed();
    // The sealed bytes as stored, copied by hand under a new key.
    const stored = await fx.aws.getObject(fx.bucket, original.slice(`s3://${fx.bucket}/`.length));
    const copy = await fx.put(stored.body);
    const result = await runExec({ sources: [copy], command: PRINT_ENV });
    expectFailure(
      result,
      "SEALED_CONTEXT_MISMATCH",
      `${copy} was sealed for s3-object="${original}", not "${copy}": it belongs elsewhere (copied or swapped); seal it again for this place, or pass the --context it was sealed with`,
    );
    expectNoLeak(result, [secret]);
  });

  test("a sealed file:// source without the --context it was sealed with", async () => {
    const file = scratch.file(
      "web.env.sealed",
      await sealed(["--kms-key-id", fx.kmsKey.arn, "--context", "app=web"]),
      0o644,
    );
    const result = await runExec({ flags: ["--context", "app=api"], sources: [`file://${file}`] });
    expectFailure(
      result,
      "SEALED_CONTEXT_MISMATCH",
      `file://${file} was sealed for app="web", not "api": it belongs elsewhere (copied or swapped); seal it again for this place, or pass the --context it was sealed with`,
    );
  });

  test("an object's sealed bytes saved as a file:// source", async () => {
    const uri = await putSealed();
    const stored = await fx.aws.getObject(fx.bucket, uri.slice(`s3://${fx.bucket}/`.length));
    const file = scratch.file("copied-out.sealed", stored.body, 0o644);
    const result = await runExec({ sources: [`file://${file}`], command: PRINT_ENV });
    expectFailure(
      result,
      "SEALED_CONTEXT_MISMATCH",
      `file://${file} was sealed for s3-object="${uri}", not for a local file: it belongs to that object (copied out of S3); open it as that object, or give --s3-object where the command takes it`,
    );
    expectNoLeak(result, [secret]);
  });

  test.each([
    ["a FIFO no one writes to", (path: string) => execFileSync("mkfifo", [path])],
    ["a directory", (path: string) => mkdirSync(path)],
  ])(
    "a file:// source that is %s: CANNOT_READ_FILE at once, not a wait past --timeout",
    async (_, make) => {
      const path = scratch.freshPath("not-regular");
      make(path);
      const result = await runExec({
        flags: ["--timeout", "30s"],
        sources: [`file://${path}`],
        timeoutMs: 10_000,
      });
      expectFailure(
        result,
        "CANNOT_READ_FILE",
        `cannot read file://${path}: not a regular file (a pipe, device or directory never ends or never starts)`,
      );
    },
  );

  test("a file:// source with a ?query is BAD_URI, not the file without it", async () => {
    const file = scratch.file("q.env.sealed", await sealed(["--kms-key-id", fx.kmsKey.arn]), 0o644);
    const result = await runExec({ sources: [`file://${file}?x`] });
    expectFailure(
      result,
      "BAD_URI",
      `invalid source "file://${file}?x": a file:// source takes no ?query or #fragment (write a literal ? or # as %3F or %23)`,
    );
  });

  test("an object sealed under a key that is not trusted, though stored under a trusted one", async () => {
    const other = await fx.aws.createKmsKey({ description: "exec-sealed other" });
    const key = fx.freshKey();
    const uri = `s3://${fx.bucket}/${key}`;
    await fx.put(await sealed(["--kms-key-id", other.arn, "--s3-object", uri]), { key });
    const result = await runExec({
      flags: ["--kms-key-id", fx.kmsKey.arn],
      sources: [uri],
      command: PRINT_ENV,
    });
    expectFailure(
      result,
      "SEALED_KEY_NOT_TRUSTED",
      `${uri} is sealed with ${other.arn}, not a trusted key (trusted: ${fx.kmsKey.arn}); refusing to open it. Name its key with --kms-key-id only if you know who can seal with it`,
    );
  });

  test("a sealed object whose body was tampered with", async () => {
    const key = fx.freshKey();
    const uri = `s3://${fx.bucket}/${key}`;
    const message = Buffer.from(
      await sealed(["--kms-key-id", fx.kmsKey.arn, "--s3-object", uri]),
      "base64",
    );
    message[message.length - 130] = (message[message.length - 130] ?? 0) ^ 0x01;
    await fx.put(message.toString("base64"), { key });
    const result = await runExec({ sources: [uri], command: PRINT_ENV });
    expectFailure(
      result,
      "SEALED_CORRUPT",
      `${uri} is not an intact sealed env file (a check of the header, body, authentication tag or signature failed); it was damaged or tampered with: restore it from its source`,
    );
    expectNoLeak(result, [secret]);
  });

  test("plain put refuses a file that is already sealed", async () => {
    const file = scratch.file(
      "already.sealed",
      await sealed(["--kms-key-id", fx.kmsKey.arn]),
      0o644,
    );
    const uri = `s3://${fx.bucket}/${fx.freshKey()}`;
    const result = await runCli(["put", "--kms-key-id", fx.kmsKey.arn, file, uri]);
    expect(result).toMatchObject({
      exitCode: 125,
      stderr: `s3-kms-env: error: ${file} is already sealed; put uploads the plaintext (with --client-side to seal it for ${uri}) (code=USAGE)\n`,
    });
  });
});

describe("KMS refusing the Decrypt (through the fault proxy, as KMS answers)", () => {
  test.each([
    [
      "access denied",
      () => kmsAccessDenied(fx.kmsKey.arn),
      "KMS_ACCESS_DENIED",
      (uri: string) =>
        `${uri}: KMS denied kms:Decrypt on ${fx.kmsKey.arn}; grant kms:Decrypt on the key to this role (IAM policy and key policy)`,
    ],
    [
      "a disabled key",
      () => kmsDisabled(fx.kmsKey.arn),
      "KMS_KEY_DISABLED",
      (uri: string) =>
        `${uri}: KMS key ${fx.kmsKey.arn} is disabled or pending deletion (DisabledException); enable the key (or cancel its deletion)`,
    ],
  ])("%s", async (_, answer, code, message) => {
    const uri = await putSealed();
    const proxy = await startFaultProxy(motoUrl());
    try {
      proxy.addRule({ match: { target: "TrentService.Decrypt" }, respond: answer() });
      const result = await runExec({ sources: [uri], endpoint: proxy.url, command: PRINT_ENV });
      expectFailure(result, code, message(uri));
      expectNoLeak(result, [secret]);
    } finally {
      await proxy.close();
    }
  });
});

describe("KMS calls per start", () => {
  test("one Decrypt per sealed source, and none for a plain one", async () => {
    const sources = [await putSealed(), await fx.put("PLAIN=1\n"), await putSealed()];
    expect(await kmsTargets((endpoint) => runExec({ sources, endpoint }))).toEqual([
      "TrentService.Decrypt",
      "TrentService.Decrypt",
    ]);
  });

  test("a trusted key named by its id costs one DescribeKey per start, not one per source", async () => {
    const sources = [await putSealed(), await putSealed()];
    const flags = ["--kms-key-id", fx.kmsKey.keyId];
    expect(await kmsTargets((endpoint) => runExec({ flags, sources, endpoint }))).toEqual([
      "TrentService.DescribeKey",
      "TrentService.Decrypt",
      "TrentService.Decrypt",
    ]);
  });

  test("a plain start makes no KMS call", async () => {
    const sources = [await fx.put("PLAIN=1\n")];
    expect(await kmsTargets((endpoint) => runExec({ sources, endpoint }))).toEqual([]);
  });
});

describe("exec's own KMS Decrypt (no SDK client), seen at the fault proxy", () => {
  let proxy: FaultProxy;
  beforeEach(async () => {
    proxy = await startFaultProxy(motoUrl());
  });
  afterEach(() => proxy.close());

  const decrypts = () => proxy.requests.filter((r) => r.target === "TrentService.Decrypt");
  const answerDecrypt = (respond: FaultAction, times?: number) =>
    proxy.addRule({
      match: { target: "TrentService.Decrypt" },
      respond,
      ...(times ? { times } : {}),
    });
  const execThroughProxy = (uri: string, flags: readonly string[] = []) =>
    runExec({ flags, sources: [uri], endpoint: proxy.url, command: PRINT_ENV });

  test("one signed JSON 1.1 POST with X-Amz-Target TrentService.Decrypt", async () => {
    const uri = await putSealed();
    const result = await execThroughProxy(uri);
    expect(childEnv(result).APP_SECRET).toBe(secret);
    expect(decrypts()).toEqual([
      { method: "POST", path: "/", service: "kms", target: "TrentService.Decrypt" },
    ]);
  });

  test("a throttled Decrypt is retried, then the app starts", async () => {
    const uri = await putSealed();
    answerDecrypt(kmsThrottling(), 2);
    const result = await execThroughProxy(uri);
    expect(childEnv(result).APP_SECRET).toBe(secret);
    expect(decrypts()).toHaveLength(3);
  });

  test("--debug: where the Decrypt goes, each attempt and the retry, no value", async () => {
    const uri = await putSealed();
    answerDecrypt(kmsThrottling(), 1);
    const result = await execThroughProxy(uri, ["--debug"]);
    expect(childEnv(result).APP_SECRET).toBe(secret);
    const lines = result.stderr
      .split("\n")
      .filter((l) => /debug: (kms request|attempt|retry) \(/.test(l));
    expect(lines.filter((l) => !l.includes("uri="))).toEqual([
      `s3-kms-env: debug: kms request (url=${proxy.url}/ signing_region=${TEST_REGION} proxy=none)`,
      "s3-kms-env: debug: attempt (call=kms:Decrypt attempt=1 result=ThrottlingException)",
      expect.stringMatching(
        /^s3-kms-env: debug: retry \(call=kms:Decrypt attempt=2 delay_ms=\d+\)$/,
      ),
      "s3-kms-env: debug: attempt (call=kms:Decrypt attempt=2 result=ok)",
    ]);
    expect(result.stderr).not.toContain(secret);
  });

  test("a KMS internal error (500) is retried, then the app starts", async () => {
    const uri = await putSealed();
    answerDecrypt(kmsError(500, "KMSInternalException", "An internal error occurred."), 1);
    const result = await execThroughProxy(uri);
    expect(childEnv(result).APP_SECRET).toBe(secret);
    expect(decrypts()).toHaveLength(2);
  });

  test("throttled until --timeout: THROTTLED, after more than one attempt", async () => {
    const uri = await putSealed();
    answerDecrypt(kmsThrottling());
    const result = await execThroughProxy(uri, ["--timeout", "2s"]);
    expectFailure(
      result,
      "THROTTLED",
      `${uri}: KMS throttled kms:Decrypt (ThrottlingException); retry later`,
    );
    expect(decrypts().length).toBeGreaterThan(1);
  });

  test("access denied named only in the body's namespaced __type is not retried", async () => {
    const uri = await putSealed();
    const denied = kmsAccessDenied(fx.kmsKey.arn);
    answerDecrypt({
      status: 400,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: denied.body.replace(
        '"AccessDeniedException"',
        '"com.amazonaws.kms#AccessDeniedException"',
      ),
    });
    const result = await execThroughProxy(uri);
    expectFailure(
      result,
      "KMS_ACCESS_DENIED",
      `${uri}: KMS denied kms:Decrypt on ${fx.kmsKey.arn}; grant kms:Decrypt on the key to this role (IAM policy and key policy)`,
    );
    expect(decrypts()).toHaveLength(1);
  });

  test("a KMS that never answers: TIMEOUT within --timeout", async () => {
    const uri = await putSealed();
    answerDecrypt({ stall: true });
    const started = Date.now();
    const result = await execThroughProxy(uri, ["--timeout", "1500ms"]);
    expectFailure(
      result,
      "TIMEOUT",
      `${uri}: unsealing did not finish within 1500 ms; raise --timeout`,
    );
    expect(Date.now() - started).toBeLessThan(1500 + 2500);
  });
});

test("FIPS with a custom KMS endpoint: KMS's rules refuse it, as the SDK's client would (AWS_CONFIG)", async () => {
  const file = scratch.file(
    "fips.env.sealed",
    await sealed(["--kms-key-id", fx.kmsKey.arn]),
    0o644,
  );
  const result = await runExec({
    sources: [`file://${file}`],
    env: { AWS_USE_FIPS_ENDPOINT: "true" },
  });
  expectFailure(
    result,
    "AWS_CONFIG",
    "cannot reach KMS with these settings: Invalid Configuration: FIPS and custom endpoint are not supported",
  );
});

test("a KMS whose certificate is not trusted: TLS_CERTIFICATE at the first refusal, not retried", async () => {
  const uri = await putSealed();
  const tls = await startTlsProxy(motoUrl());
  try {
    const result = await runExec({
      flags: ["--timeout", "20s"],
      sources: [uri],
      env: { AWS_ENDPOINT_URL_KMS: tls.url },
    });
    expectFailure(
      result,
      "TLS_CERTIFICATE",
      `KMS Decrypt: the TLS certificate of ${new URL(tls.url).host} was refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE); ` +
        "give the CA that issued it in AWS_CA_BUNDLE (or a profile's ca_bundle, or NODE_EXTRA_CA_CERTS)",
    );
    expect(tls.attempts()).toBe(1);
  } finally {
    await tls.close();
  }
});

test("a sealed start through HTTPS_PROXY to a KMS with a private CA", async () => {
  const uri = await putSealed();
  const [tls, proxy] = await Promise.all([startTlsProxy(motoUrl()), startConnectProxy()]);
  try {
    // S3 stays on plain http (moto, no proxy for it): the tunnel is KMS's.
    const env = await execEnv({
      sources: [uri],
      env: { AWS_ENDPOINT_URL_KMS: tls.url, AWS_CA_BUNDLE: tls.caFile, HTTPS_PROXY: proxy.url },
    });
    expect(env.APP_SECRET).toBe(secret);
    expect(proxy.tunnels).toEqual([`127.0.0.1:${new URL(tls.url).port}`]);
  } finally {
    await Promise.all([tls.close(), proxy.close()]);
  }
});
