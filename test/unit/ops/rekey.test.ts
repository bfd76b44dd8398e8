// rekey's logic (src/ops/rekey.ts) against an in-memory S3.
import { rekey, type RekeyOptions } from "../../../src/ops/rekey";
import { FakeS3, KEY_A, KEY_B, location } from "../../support/fake-s3";
import { FakeSealedRoom } from "../../support/fake-sealed";

const KEY_NEW = "arn:aws:kms:us-east-1:111122223333:key/new";
const options: RekeyOptions = {
  encrypt: { mode: "aws:kms", kmsKeyId: KEY_NEW, bucketKeyEnabled: true },
  trustedKeys: [KEY_A],
  dryRun: false,
  maxBytes: 1024,
  sealed: new FakeSealedRoom(),
};

test("re-encrypts an object under a trusted key, contents unchanged", async () => {
  const s3 = new FakeS3();
  s3.seed("prod/app.env", "A=1\n");
  const [outcome] = await rekey(s3, location("prod/app.env"), options);
  expect(outcome).toMatchObject({ action: "rekeyed", from: KEY_A });
  expect(s3.current("prod/app.env")).toMatchObject({ kmsKeyArn: KEY_NEW });
  expect(s3.text("prod/app.env")).toBe("A=1\n");
});

test("skips an object already under the new key", async () => {
  const s3 = new FakeS3();
  s3.seed("prod/app.env", "A=1\n", KEY_NEW);
  const [outcome] = await rekey(s3, location("prod/app.env"), options);
  expect(outcome?.action).toBe("skipped");
  expect(s3.versions("prod/app.env")).toHaveLength(1);
});

test("leaves an object under an untrusted key where it is, and names it", async () => {
  const s3 = new FakeS3();
  s3.seed("prod/app.env", "A=1\n", KEY_B);
  const [outcome] = await rekey(s3, location("prod/app.env"), options);
  expect(outcome).toMatchObject({ action: "refused", code: "WRONG_KMS_KEY", from: KEY_B });
  expect(outcome?.reason).toContain(KEY_B);
  expect(s3.current("prod/app.env")?.kmsKeyArn).toBe(KEY_B);
});

test("refuses an object without SSE-KMS", async () => {
  const s3 = new FakeS3();
  s3.seed("prod/app.env", "A=1\n", null);
  const [outcome] = await rekey(s3, location("prod/app.env"), options);
  expect(outcome).toMatchObject({ action: "refused", code: "NOT_KMS_ENCRYPTED" });
});

test("with --dry-run, says what would move and writes nothing", async () => {
  const s3 = new FakeS3();
  s3.seed("prod/app.env", "A=1\n");
  const [outcome] = await rekey(s3, location("prod/app.env"), { ...options, dryRun: true });
  expect(outcome?.action).toBe("would-rekey");
  expect(s3.requests.some((r) => r.request === "copyObject")).toBe(false);
});

test("a prefix takes every object under it", async () => {
  const s3 = new FakeS3();
  s3.seed("prod/a.env", "A=1\n");
  s3.seed("prod/b.env", "B=1\n", KEY_NEW);
  s3.seed("staging/c.env", "C=1\n");
  const outcomes = await rekey(s3, location("prod/"), options);
  expect(outcomes.map((o) => [o.uri, o.action])).toEqual([
    ["s3://bucket/prod/a.env", "rekeyed"],
    ["s3://bucket/prod/b.env", "skipped"],
  ]);
});

test("an empty prefix is NO_SUCH_KEY", async () => {
  await expect(rekey(new FakeS3(), location("prod/"), options)).rejects.toMatchObject({
    code: "NO_SUCH_KEY",
  });
});

test("an object changed between HEAD and copy fails, and is not overwritten", async () => {
  const s3 = new FakeS3();
  s3.seed("prod/app.env", "A=1\n");
  s3.before = (request) => {
    if (request === "copyObject") s3.seed("prod/app.env", "A=2\n");
  };
  const [outcome] = await rekey(s3, location("prod/app.env"), options);
  expect(outcome).toMatchObject({ action: "failed", code: "CONFLICT" });
  expect(s3.text("prod/app.env")).toBe("A=2\n");
});

describe("a sealed object", () => {
  const loc = location("prod/app.env");
  const sealedBody = (key: string): string =>
    FakeSealedRoom.sealedBody("A=1\n", key, loc.uri, { app: "api" }).toString("latin1");

  test("is re-wrapped under the new key and stays sealed, its context kept", async () => {
    const s3 = new FakeS3();
    s3.seed("prod/app.env", sealedBody(KEY_A));
    const [outcome] = await rekey(s3, loc, options);
    expect(outcome).toMatchObject({ action: "rekeyed", from: KEY_A });
    const stored = s3.current("prod/app.env");
    expect(stored?.kmsKeyArn).toBe(KEY_NEW);
    expect(FakeSealedRoom.stored(stored)).toEqual({
      key: KEY_NEW,
      object: loc.uri,
      context: { app: "api" },
      text: "A=1\n",
    });
  });

  test("under the new key on the outside but not inside is still re-wrapped", async () => {
    const s3 = new FakeS3();
    s3.seed("prod/app.env", sealedBody(KEY_A), KEY_NEW);
    const [outcome] = await rekey(s3, loc, options);
    expect(outcome?.action).toBe("rekeyed");
    expect(FakeSealedRoom.stored(s3.current("prod/app.env")).key).toBe(KEY_NEW);
  });

  test("under the new key in both layers is skipped", async () => {
    const s3 = new FakeS3();
    s3.seed("prod/app.env", sealedBody(KEY_NEW), KEY_NEW);
    const [outcome] = await rekey(s3, loc, options);
    expect(outcome?.action).toBe("skipped");
  });

  test("sealed under an untrusted key fails and is left as it was", async () => {
    const s3 = new FakeS3();
    s3.seed("prod/app.env", sealedBody(KEY_B));
    const [outcome] = await rekey(s3, loc, options);
    expect(outcome).toMatchObject({ action: "failed", code: "SEALED_KEY_NOT_TRUSTED" });
    expect(s3.versions("prod/app.env")).toHaveLength(1);
  });
});
