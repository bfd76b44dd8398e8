// set's logic (src/ops/set.ts + rewrite.ts) against an in-memory S3.
import { setEnv } from "../../../src/ops/set";
import type { UpdateOptions } from "../../../src/ops/rewrite";
import { FakeS3, KEY_A, KEY_B, location } from "../../support/fake-s3";
import { FakeSealedRoom } from "../../support/fake-sealed";

const loc = location("app.env");

function options(overrides: Partial<UpdateOptions> = {}): UpdateOptions {
  return {
    maxBytes: 1024,
    sealed: new FakeSealedRoom(),
    encryption: { allowUnencrypted: false, trustedKeys: undefined },
    allowNames: new Set(),
    create: undefined,
    maxAttempts: 3,
    ...overrides,
  };
}

test("adds a name and keeps the object's own KMS key", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n", KEY_B);
  const result = await setEnv(s3, loc, options(), new Map([["B", "2"]]));
  expect(s3.text("app.env")).toBe("A=1\nB=2\n");
  expect(s3.current("app.env")?.kmsKeyArn).toBe(KEY_B);
  expect(result).toMatchObject({ changed: true, created: false, attempts: 1, variables: 2 });
});

test("writes conditionally on the ETag it read", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  const etag = s3.current("app.env")?.etag;
  const puts: string[] = [];
  const put = s3.putObject.bind(s3);
  s3.putObject = (l, body, encrypt, condition) => {
    puts.push(condition.ifMatch ?? "none");
    return put(l, body, encrypt, condition);
  };
  await setEnv(s3, loc, options(), new Map([["A", "2"]]));
  expect(puts).toEqual([etag]);
});

test("re-applies the change to a fresh read when another writer got in between", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  let raced = false;
  s3.before = (request) => {
    if (request === "putObject" && !raced) {
      raced = true;
      s3.seed("app.env", "A=1\nOTHER=x\n");
    }
  };
  const result = await setEnv(s3, loc, options(), new Map([["B", "2"]]));
  expect(s3.text("app.env")).toBe("A=1\nOTHER=x\nB=2\n");
  expect(result.attempts).toBe(2);
});

test("gives up with CONFLICT after --max-attempts and writes nothing", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  s3.before = (request) => {
    if (request === "putObject") s3.seed("app.env", "A=1\n");
  };
  const before = s3.versions("app.env").length;
  await expect(
    setEnv(s3, loc, options({ maxAttempts: 2 }), new Map([["B", "2"]])),
  ).rejects.toMatchObject({ code: "CONFLICT" });
  // Only the racing writer's versions were added.
  expect(s3.versions("app.env").every((v) => !v.body?.toString().includes("B="))).toBe(true);
  expect(s3.versions("app.env").length).toBe(before + 2);
});

test("does not write when the value is already set", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  const result = await setEnv(s3, loc, options(), new Map([["A", "1"]]));
  expect(result.changed).toBe(false);
  expect(s3.requests.map((r) => r.request)).toEqual(["getObject"]);
});

test("refuses an object under a key that is not trusted, before writing", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n", KEY_B);
  const trusted = options({ encryption: { allowUnencrypted: false, trustedKeys: [KEY_A] } });
  await expect(setEnv(s3, loc, trusted, new Map([["A", "2"]]))).rejects.toMatchObject({
    code: "WRONG_KMS_KEY",
  });
  expect(s3.requests.map((r) => r.request)).toEqual(["getObject"]);
});

test("creates a missing object only with a key to create it under", async () => {
  const s3 = new FakeS3();
  await expect(setEnv(s3, loc, options(), new Map([["A", "1"]]))).rejects.toMatchObject({
    code: "NO_SUCH_KEY",
  });
  const create = { mode: "aws:kms" as const, kmsKeyId: KEY_B, bucketKeyEnabled: true };
  const result = await setEnv(s3, loc, options({ create }), new Map([["A", "1"]]));
  expect(result.created).toBe(true);
  expect(s3.current("app.env")?.kmsKeyArn).toBe(KEY_B);
});

test("refuses a value that would give exec a refused name", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  await expect(setEnv(s3, loc, options(), new Map([["LD_PRELOAD", "x"]]))).rejects.toMatchObject({
    code: "REFUSED_NAME",
  });
  expect(s3.versions("app.env")).toHaveLength(1);
});

describe("on a sealed object", () => {
  const sealedBody = (text: string, key = KEY_A): string =>
    FakeSealedRoom.sealedBody(text, key, loc.uri, { app: "api" }).toString("latin1");

  test("opens it and writes it sealed again, under its key and with its context", async () => {
    const s3 = new FakeS3();
    s3.seed("app.env", sealedBody("A=1\n"), KEY_B);
    const trusted = options({
      encryption: { allowUnencrypted: false, trustedKeys: [KEY_A, KEY_B] },
    });
    await setEnv(s3, loc, trusted, new Map([["B", "2"]]));
    const stored = s3.current("app.env");
    expect(stored?.kmsKeyArn).toBe(KEY_B);
    expect(FakeSealedRoom.stored(stored)).toEqual({
      key: KEY_A,
      object: loc.uri,
      context: { app: "api" },
      text: "A=1\nB=2\n",
    });
  });

  test("refuses it when no key is trusted to have sealed it, and writes nothing", async () => {
    const s3 = new FakeS3();
    s3.seed("app.env", sealedBody("A=1\n", KEY_B), KEY_A);
    const trusted = options({ encryption: { allowUnencrypted: false, trustedKeys: [KEY_A] } });
    await expect(setEnv(s3, loc, trusted, new Map([["B", "2"]]))).rejects.toMatchObject({
      code: "SEALED_KEY_NOT_TRUSTED",
    });
    expect(s3.versions("app.env")).toHaveLength(1);
  });
});
