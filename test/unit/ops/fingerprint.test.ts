import { createHmac } from "node:crypto";
import { describeVars, fingerprinterFrom } from "../../../src/ops/fingerprint";

const KEY = "0123456789abcdef-team";

describe("describeVars", () => {
  test("gives names and UTF-8 lengths, and no fingerprint without a key", () => {
    expect(describeVars(new Map([["A", "héllo"]]), fingerprinterFrom(undefined))).toEqual([
      { name: "A", bytes: 6 },
    ]);
  });

  test("fingerprints with HMAC-SHA256 under the key, over name and value", () => {
    const expected = createHmac("sha256", KEY).update("A\0secret").digest("hex").slice(0, 8);
    expect(describeVars(new Map([["A", "secret"]]), fingerprinterFrom(KEY))).toEqual([
      { name: "A", bytes: 6, fingerprint: expected },
    ]);
  });

  test("gives the same value under another name another fingerprint", () => {
    const fp = fingerprinterFrom(KEY);
    expect(fp?.("A", "v")).not.toBe(fp?.("B", "v"));
  });

  test("refuses a key shorter than 16 characters", () => {
    expect(() => fingerprinterFrom("short")).toThrow(
      expect.objectContaining({ code: "USAGE" }) as Error,
    );
  });
});
