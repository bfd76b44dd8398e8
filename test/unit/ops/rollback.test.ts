// rollback's logic (src/ops/rollback.ts) against an in-memory S3.
import { rollbackEnv, type RollbackOptions } from "../../../src/ops/rollback";
import { FakeS3, KEY_A, KEY_B, location } from "../../support/fake-s3";
import { FakeSealedRoom } from "../../support/fake-sealed";

const loc = location("app.env");
const options: RollbackOptions = {
  maxBytes: 1024,
  sealed: new FakeSealedRoom(),
  allowNames: new Set(),
  pin: undefined,
  trustedKeys: [KEY_A],
};

test("copies the old version on top, under the current object's key", async () => {
  const s3 = new FakeS3();
  const old = s3.seed("app.env", "A=old\n");
  s3.seed("app.env", "A=new\n");
  const result = await rollbackEnv(s3, loc, old, options);
  expect(s3.text("app.env")).toBe("A=old\n");
  expect(s3.current("app.env")?.kmsKeyArn).toBe(KEY_A);
  expect(result).toMatchObject({ changed: true, variables: 1 });
});

test("writes nothing when the version is already the current one", async () => {
  const s3 = new FakeS3();
  const current = s3.seed("app.env", "A=1\n");
  const result = await rollbackEnv(s3, loc, current, options);
  expect(result.changed).toBe(false);
  expect(s3.requests.some((r) => r.request === "copyObject")).toBe(false);
});

test("refuses an old version under a key that is not trusted", async () => {
  const s3 = new FakeS3();
  const planted = s3.seed("app.env", "A=planted\n", KEY_B);
  s3.seed("app.env", "A=1\n");
  await expect(rollbackEnv(s3, loc, planted, options)).rejects.toMatchObject({
    code: "WRONG_KMS_KEY",
  });
  expect(s3.text("app.env")).toBe("A=1\n");
});

test("needs --kms-key-id to restore a deleted object", async () => {
  const s3 = new FakeS3();
  const old = s3.seed("app.env", "A=1\n");
  s3.deleteObject("app.env");
  await expect(rollbackEnv(s3, loc, old, options)).rejects.toMatchObject({ code: "NO_SUCH_KEY" });
});

test("reports CONFLICT when the object changes during the rollback", async () => {
  const s3 = new FakeS3();
  const old = s3.seed("app.env", "A=old\n");
  s3.seed("app.env", "A=new\n");
  s3.before = (request) => {
    if (request === "copyObject") s3.seed("app.env", "A=other\n");
  };
  await expect(rollbackEnv(s3, loc, old, options)).rejects.toMatchObject({
    code: "CONFLICT",
    message: expect.stringContaining("changed while rolling back") as string,
  });
  expect(s3.text("app.env")).toBe("A=other\n");
});
