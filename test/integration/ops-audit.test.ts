// The ops writes' audit events (--log-format json, --notify): what was
// written, which names were added, changed and removed, the versions before
// and after, and who wrote (one STS GetCallerIdentity, from moto here); never
// a value. Without json logs or --notify there is no event and no STS call.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eventHead } from "../support/audit";
import { emfBlock, emfProblems } from "../support/emf";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { motoUrl } from "../support/moto";
import {
  canary,
  freshKey,
  generateDataKeyDenied,
  opsWorld,
  withS3Answer,
  type OpsWorld,
} from "../support/ops";
import { startReceiver } from "../support/receiver";
import { expectNoLeak, runCli, type CliResult, type RunCliOptions } from "../support/run-cli";

let world: OpsWorld;
const scratch = mkdtempSync(path.join(tmpdir(), "s3-kms-env-ops-audit-"));
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  world = await opsWorld("ops-audit");
});
afterAll(async () => {
  world.aws.destroy();
  rmSync(scratch, { recursive: true, force: true });
  await Promise.all(closers.map((close) => close()));
});

/** moto's identity for the test credentials. */
const MOTO_CALLER = {
  arn: expect.stringMatching(/^arn:aws:(iam|sts)::123456789012:/) as string,
  account: "123456789012",
  userId: expect.any(String) as string,
};

const JSON_LOGS = ["--log-format", "json"];

/** An object written by put (under world.key, or `kmsKeyId`), and its version. */
async function stored(
  body: string,
  kmsKeyId = world.key.arn,
): Promise<{ key: string; uri: string; versionId: string }> {
  const key = freshKey();
  const { versionId } = await world.aws.putEnvObject(world.bucket, key, body, {
    sse: "aws:kms",
    kmsKeyId,
  });
  return { key, uri: `s3://${world.bucket}/${key}`, versionId: versionId ?? "" };
}

/** The one audit event on stderr (the only JSON line with an `event`). */
function auditEvent(result: CliResult, exitCode = 0): Record<string, unknown> {
  expect(result.exitCode).toBe(exitCode);
  const events = result.stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => "event" in line);
  expect(events).toHaveLength(1);
  return events[0] ?? {};
}

async function proxied(): Promise<FaultProxy> {
  const proxy = await startFaultProxy(motoUrl());
  closers.push(() => proxy.close());
  return proxy;
}

function ops(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return runCli(args, options);
}

/** rekey of `uri` from world.key to world.otherKey, with json logs. */
function rekeyToOtherKey(uri: string): Promise<CliResult> {
  const keys = ["--kms-key-id", world.otherKey.arn, "--trusted-kms-key-id", world.key.arn];
  return ops(["rekey", ...JSON_LOGS, uri, ...keys]);
}

test.concurrent(
  "set: the names added and changed, both versions, the caller, a Writes metric",
  async () => {
    const { key, uri, versionId: before } = await stored("A=1\nB=2\n");
    const result = await ops(["set", ...JSON_LOGS, uri, "A=10", "C=3"]);
    const event = auditEvent(result);
    const after = (await world.aws.getObject(world.bucket, key)).versionId;
    expect(event).toEqual({
      ...eventHead("info", "set written", "set"),
      sources: [
        {
          uri,
          bucket: world.bucket,
          key,
          versionId: after,
          previousVersionId: before,
          kmsKeyArn: world.key.arn,
        },
      ],
      variables: 3,
      changes: { added: 1, changed: 1, removed: 0 },
      added: ["C"],
      changed: ["A"],
      removed: [],
      caller: MOTO_CALLER,
      Operation: "set",
      Writes: 1,
      _aws: emfBlock("Operation", [["Writes", "Count"]]),
    });
    expect(emfProblems(event)).toEqual([]);
  },
);

test.concurrent("unset: the names removed", async () => {
  const { uri } = await stored("A=1\nB=2\n");
  const event = auditEvent(await ops(["unset", ...JSON_LOGS, uri, "B"]));
  expect(event).toMatchObject({
    event: "unset",
    changes: { added: 0, changed: 0, removed: 1 },
    removed: ["B"],
    caller: MOTO_CALLER,
  });
});

test.concurrent("--audit-no-names: counts only", async () => {
  const { uri } = await stored("A=1\n");
  const event = auditEvent(await ops(["set", ...JSON_LOGS, "--audit-no-names", uri, "B=2"]));
  expect(event).toMatchObject({ changes: { added: 1, changed: 0, removed: 0 } });
  expect(Object.keys(event)).not.toContain("added");
});

test.concurrent("edit: the names the editor added, and both versions", async () => {
  const { key, uri, versionId: before } = await stored("A=1\n");
  // An editor that appends one line to the file it is given (its last argument).
  const editor = path.join(scratch, "append-editor");
  writeFileSync(editor, "#!/bin/sh\nfor a; do f=$a; done\nprintf 'ADDED=1\\n' >> \"$f\"\n");
  chmodSync(editor, 0o755);
  const event = auditEvent(await ops(["edit", ...JSON_LOGS, uri], { env: { EDITOR: editor } }));
  const { versionId: after } = await world.aws.getObject(world.bucket, key);
  expect(event).toMatchObject({
    event: "edit",
    sources: [{ uri, versionId: after, previousVersionId: before }],
    changes: { added: 1, changed: 0, removed: 0 },
    added: ["ADDED"],
    caller: MOTO_CALLER,
  });
});

test.concurrent("put: the file's names and the version written", async () => {
  const key = freshKey();
  const uri = `s3://${world.bucket}/${key}`;
  const event = auditEvent(
    await ops(["put", ...JSON_LOGS, "-", uri, "--kms-key-id", world.key.arn], {
      input: "DB_USERNAME=app\nDB_PASSWORD=x\n",
    }),
  );
  const { versionId } = await world.aws.getObject(world.bucket, key);
  expect(event).toMatchObject({
    event: "put",
    sources: [{ uri, versionId, kmsKeyArn: world.key.arn }],
    variables: 2,
    names: ["DB_USERNAME", "DB_PASSWORD"],
    caller: MOTO_CALLER,
  });
});

test.concurrent("rollback: the version restored, the one replaced and the new one", async () => {
  const first = await stored("A=1\n");
  const { versionId: second } = await world.aws.putEnvObject(world.bucket, first.key, "A=2\n", {
    sse: "aws:kms",
    kmsKeyId: world.key.arn,
  });
  const result = await ops(["rollback", ...JSON_LOGS, first.uri, "--version-id", first.versionId]);
  const event = auditEvent(result);
  const { versionId: now } = await world.aws.getObject(world.bucket, first.key);
  expect(event).toMatchObject({
    event: "rollback",
    sources: [
      {
        uri: first.uri,
        versionId: now,
        previousVersionId: second,
        restoredVersionId: first.versionId,
      },
    ],
    caller: MOTO_CALLER,
  });
});

test.concurrent("rekey: each object moved, with the key it left", async () => {
  const { uri } = await stored("A=1\n");
  expect(auditEvent(await rekeyToOtherKey(uri))).toMatchObject({
    event: "rekey",
    sources: [{ uri, kmsKeyArn: world.otherKey.arn, previousKmsKeyArn: world.key.arn }],
    caller: MOTO_CALLER,
  });
});

describe("a sealed object: each write's event names the key it is sealed under", () => {
  /** A sealed object (put --client-side under `sealKey`, which is also its SSE-KMS key). */
  async function storedSealed(
    sealKey = world.key.arn,
    body = "A=1\nB=2\n",
  ): Promise<{ key: string; uri: string; versionId: string }> {
    const key = freshKey();
    const uri = `s3://${world.bucket}/${key}`;
    const args = ["put", "-q", "--json", "--client-side", "--kms-key-id", sealKey, "-", uri];
    const result = await ops(args, { input: body });
    expect(result.exitCode).toBe(0);
    const { versionId } = JSON.parse(result.stdout) as { versionId: string };
    return { key, uri, versionId };
  }

  /** Trusting world.key, as a writer of the sealed object must. */
  const trusted = (): RunCliOptions => ({ env: { S3_KMS_ENV_KMS_KEY_ID: world.key.arn } });

  test.concurrent.each([
    ["set", ["C=3"]],
    ["unset", ["B"]],
  ])("%s", async (command, rest) => {
    const { uri } = await storedSealed();
    const event = auditEvent(await ops([command, ...JSON_LOGS, uri, ...rest], trusted()));
    expect(event).toMatchObject({
      event: command,
      sources: [{ uri, kmsKeyArn: world.key.arn, sealedKmsKeyArn: world.key.arn }],
    });
  });

  test.concurrent("edit", async () => {
    const { uri } = await storedSealed();
    const editor = path.join(scratch, "sealed-append-editor");
    writeFileSync(editor, "#!/bin/sh\nfor a; do f=$a; done\nprintf 'ADDED=1\\n' >> \"$f\"\n");
    chmodSync(editor, 0o755);
    const env = { S3_KMS_ENV_KMS_KEY_ID: world.key.arn, EDITOR: editor };
    const event = auditEvent(await ops(["edit", ...JSON_LOGS, uri], { env }));
    expect(event).toMatchObject({
      event: "edit",
      sources: [{ uri, kmsKeyArn: world.key.arn, sealedKmsKeyArn: world.key.arn }],
    });
  });

  test.concurrent("rollback: the restored version's sealing key", async () => {
    // The old version sealed under the other key; the current one under world.key.
    const first = await storedSealed(world.otherKey.arn);
    const put = await ops(
      ["put", "-q", "--client-side", "--kms-key-id", world.key.arn, "-", first.uri],
      { input: "A=2\n" },
    );
    expect(put.exitCode).toBe(0);
    const result = await ops(
      [
        "rollback",
        ...JSON_LOGS,
        first.uri,
        "--version-id",
        first.versionId,
        "--trusted-kms-key-id",
        world.otherKey.arn,
      ],
      trusted(),
    );
    expect(auditEvent(result)).toMatchObject({
      event: "rollback",
      sources: [
        {
          uri: first.uri,
          restoredVersionId: first.versionId,
          kmsKeyArn: world.key.arn,
          sealedKmsKeyArn: world.otherKey.arn,
        },
      ],
    });
  });

  test.concurrent("rekey: the new sealing key and the one it replaced", async () => {
    const { uri } = await storedSealed();
    expect(auditEvent(await rekeyToOtherKey(uri))).toMatchObject({
      event: "rekey",
      sources: [
        {
          uri,
          kmsKeyArn: world.otherKey.arn,
          previousKmsKeyArn: world.key.arn,
          sealedKmsKeyArn: world.otherKey.arn,
          previousSealedKmsKeyArn: world.key.arn,
        },
      ],
    });
  });
});

test("STS through AWS_ENDPOINT_URL_STS; none at all in text format without --notify", async () => {
  const proxy = await proxied();
  const { uri } = await stored("A=1\n");
  const env = { AWS_ENDPOINT_URL_STS: proxy.url };
  expect((await ops(["set", uri, "B=2"], { env })).exitCode).toBe(0);
  expect(proxy.requests.filter((r) => r.service === "sts")).toEqual([]);
  auditEvent(await ops(["set", ...JSON_LOGS, uri, "C=3"], { env }));
  expect(proxy.requests.filter((r) => r.service === "sts")).toHaveLength(1);
});

test("STS failing: the write is made and the event says the caller is unknown", async () => {
  const proxy = await proxied();
  proxy.addRule({ match: { service: "sts" }, respond: { destroy: true } });
  const { uri } = await stored("A=1\n");
  const result = await ops(["set", ...JSON_LOGS, uri, "B=2"], {
    env: { AWS_ENDPOINT_URL_STS: proxy.url },
  });
  expect(auditEvent(result)).toMatchObject({
    event: "set",
    caller: { arn: "unknown", reason: expect.any(String) as string },
  });
  expect((await world.aws.getObject(world.bucket, uri.split("/").slice(3).join("/"))).body).toBe(
    "A=1\nB=2\n",
  );
});

test.concurrent("--notify: the event with the caller is POSTed; no value anywhere", async () => {
  const receiver = await startReceiver();
  closers.push(() => receiver.close());
  const secret = canary("set");
  const { uri } = await stored("A=1\n");
  const result = await ops(["set", "--notify", receiver.url, uri, `TOKEN=${secret}`]);
  expect(result.exitCode).toBe(0);
  const [post] = receiver.received;
  expect(JSON.parse(post?.body ?? "")).toMatchObject({
    event: "set",
    added: ["TOKEN"],
    caller: MOTO_CALLER,
  });
  expectNoLeak(result, [secret]);
  expectNoLeak({ stdout: post?.body ?? "", stderr: "" }, [secret]);
});

test.concurrent("--notify failing: a warning; the write is made and the exit is 0", async () => {
  const receiver = await startReceiver();
  closers.push(() => receiver.close());
  receiver.answer = 500;
  const { uri } = await stored("A=1\n");
  const result = await ops(["set", "--notify", receiver.url, uri, "B=2"]);
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toBe(
    `s3-kms-env: warn: --notify to ${receiver.url} failed: HTTP 500; the write was made\n`,
  );
});

describe("a failed write: one write_failed event with its code, never a value", () => {
  const secret = canary("failed");

  /** set of a canary value on an object under the other key, while only world.key is trusted. */
  async function refusedSet(
    extra: readonly string[],
    options: RunCliOptions = {},
  ): Promise<{ uri: string; key: string; result: CliResult }> {
    const { key, uri } = await stored("A=1\n", world.otherKey.arn);
    const trust = ["--trusted-kms-key-id", world.key.arn];
    const result = await ops(["set", ...extra, ...trust, uri, `TOKEN=${secret}`], options);
    expectNoLeak(result, [secret]);
    return { uri, key, result };
  }

  test.concurrent(
    "refused: the operation, its error code, the target, the caller, WriteFailures by Operation and ErrorCode",
    async () => {
      const { uri, key, result } = await refusedSet(JSON_LOGS);
      const event = auditEvent(result, 125);
      expect(event).toEqual({
        ...eventHead("error", "set failed", "write_failed"),
        operation: "set",
        sources: [{ uri, bucket: world.bucket, key }],
        code: "WRONG_KMS_KEY",
        caller: MOTO_CALLER,
        Operation: "set",
        ErrorCode: "WRONG_KMS_KEY",
        WriteFailures: 1,
        _aws: emfBlock(["Operation", "ErrorCode"], [["WriteFailures", "Count"]]),
      });
      expect(emfProblems(event)).toEqual([]);
      // The event, then the error line.
      expect(JSON.parse(result.stderr.trimEnd().split("\n").pop() ?? "")).toMatchObject({
        level: "error",
        code: "WRONG_KMS_KEY",
      });
    },
  );

  test.concurrent("a conflict: put --if-absent on an object that exists", async () => {
    const { uri } = await stored("A=1\n");
    const args = ["put", ...JSON_LOGS, "--if-absent", "--kms-key-id", world.key.arn, "-", uri];
    const result = await ops(args, { input: `TOKEN=${secret}\n` });
    expectNoLeak(result, [secret]);
    expect(auditEvent(result, 125)).toMatchObject({
      event: "write_failed",
      operation: "put",
      code: "CONFLICT",
    });
  });

  test.concurrent("access denied: S3 refusing the PUT (no kms:GenerateDataKey)", async () => {
    const { uri } = await stored("A=1\n");
    const result = await withS3Answer("PUT", generateDataKeyDenied(world.key.arn), (endpoint) =>
      ops(["unset", ...JSON_LOGS, uri, "A"], { endpoint }),
    );
    expect(auditEvent(result, 125)).toMatchObject({
      event: "write_failed",
      operation: "unset",
      code: "KMS_ACCESS_DENIED",
    });
  });

  test.concurrent("--notify: the event is POSTed; no value in it", async () => {
    const receiver = await startReceiver();
    closers.push(() => receiver.close());
    const { uri, result } = await refusedSet(["--notify", receiver.url]);
    expect(result.exitCode).toBe(125);
    const [post] = receiver.received;
    expect(JSON.parse(post?.body ?? "")).toMatchObject({
      event: "write_failed",
      operation: "set",
      sources: [{ uri }],
      code: "WRONG_KMS_KEY",
      caller: MOTO_CALLER,
    });
    expectNoLeak({ stdout: post?.body ?? "", stderr: "" }, [secret]);
  });

  test("STS stalling: the event still comes, within --timeout, the caller unknown", async () => {
    const proxy = await proxied();
    proxy.addRule({ match: { service: "sts" }, respond: { stall: true } });
    const started = Date.now();
    const { result } = await refusedSet([...JSON_LOGS, "--timeout", "1s"], {
      env: { AWS_ENDPOINT_URL_STS: proxy.url },
    });
    expect(auditEvent(result, 125)).toMatchObject({
      event: "write_failed",
      caller: { arn: "unknown", reason: "TimeoutError" },
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("credentials that fail the write are not sent to STS: the caller is unknown, by the code", async () => {
    const proxy = await proxied();
    const { uri } = await stored("A=1\n");
    const dir = mkdtempSync(path.join(scratch, "proc-"));
    const script = path.join(dir, "credentials.sh");
    writeFileSync(script, "#!/bin/sh\necho 'expired' >&2\nexit 1\n");
    chmodSync(script, 0o755);
    writeFileSync(path.join(dir, "config"), `[profile proc]\ncredential_process = ${script}\n`);
    const env = {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: "proc",
      AWS_CONFIG_FILE: path.join(dir, "config"),
      AWS_ENDPOINT_URL_STS: proxy.url,
    };
    const result = await ops(["set", ...JSON_LOGS, uri, "B=2"], { env });
    expect(auditEvent(result, 125)).toMatchObject({
      event: "write_failed",
      code: "NO_CREDENTIALS",
      caller: { arn: "unknown", reason: "NO_CREDENTIALS" },
    });
    expect(proxy.requests.filter((r) => r.service === "sts")).toEqual([]);
  });

  test("text format without --notify: no event and no STS call", async () => {
    const proxy = await proxied();
    const { result } = await refusedSet([], { env: { AWS_ENDPOINT_URL_STS: proxy.url } });
    expect(result.exitCode).toBe(125);
    expect(result.stderr).not.toContain("write_failed");
    expect(proxy.requests.filter((r) => r.service === "sts")).toEqual([]);
  });
});
