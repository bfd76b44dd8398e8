// unset's logic (src/ops/unset.ts) against an in-memory S3.
import { unsetEnv } from "../../../src/ops/unset";
import { FakeS3, location } from "../../support/fake-s3";
import { FakeSealedRoom } from "../../support/fake-sealed";

const loc = location("app.env");
const options = {
  maxBytes: 1024,
  sealed: new FakeSealedRoom(),
  encryption: { allowUnencrypted: false, trustedKeys: undefined },
  allowNames: new Set<string>(),
  maxAttempts: 3,
};

test("removes the names and reports those that were not there", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\nB=2\n");
  const result = await unsetEnv(s3, loc, options, ["A", "C"]);
  expect(s3.text("app.env")).toBe("B=2\n");
  expect(result.absent).toEqual(["C"]);
});

test("never creates the object", async () => {
  const s3 = new FakeS3();
  await expect(unsetEnv(s3, loc, options, ["A"])).rejects.toMatchObject({ code: "NO_SUCH_KEY" });
  expect(s3.requests.map((r) => r.request)).toEqual(["getObject"]);
});
