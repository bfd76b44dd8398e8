import { commonOptions, keySpecs, parse, parseDuration, parseSize } from "../../../src/cli/options";
import { readerKeySpecs, writeKeySpec, writerKeySpecs } from "../../../src/aws/settings";
import { hasCode, type S3KmsEnvError } from "../../../src/errors";

/** The usage error parse() throws for `args`. */
function usageError(args: string[]): S3KmsEnvError {
  try {
    parse(args, commonOptions);
  } catch (err) {
    if (hasCode(err, "USAGE")) return err;
    throw err;
  }
  throw new Error(`${args.join(" ")} parsed`);
}

describe("parse: every util.parseArgs error is one line naming the problem", () => {
  test.each([
    [
      ["--timeout", "-5"],
      '--timeout needs a value; to pass one that starts with "-", write --timeout=-5',
    ],
    [
      ["--timeout", "--quiet"],
      '--timeout needs a value; to pass one that starts with "-", write --timeout=--quiet',
    ],
    [["--timeout"], "--timeout needs a value"],
    [["--quiet=yes"], "--quiet takes no value"],
    [["--bogus"], "unknown option --bogus; see --help"],
    [["--bogus=CANARY-5a1f"], "unknown option --bogus; see --help"],
    [["-qx"], "unknown option -x; see --help"],
  ])("%j", (args, message) => {
    expect(usageError(args).message).toBe(message);
  });

  test("an option name full of escape sequences: printable, at most 64 characters of it", () => {
    const option = `--${"\u001b[31m".repeat(40)}`;
    const shown = `${option.replaceAll("\u001b", "?").slice(0, 61)}...`;
    expect(usageError([option]).message).toBe(`unknown option ${shown}; see --help`);
  });
});

describe("parseDuration", () => {
  test.each([
    ["10s", 10_000],
    ["500ms", 500],
    ["2m", 120_000],
    ["3", 3000],
  ])("reads %s", (text, ms) => {
    expect(parseDuration(text, "--timeout")).toBe(ms);
  });

  test.each(["", "abc", "0", "-1s", "10h"])("rejects %j", (text) => {
    expect(() => parseDuration(text, "--timeout")).toThrow(
      expect.objectContaining({ code: "USAGE" }) as Error,
    );
  });

  test("accepts up to 2^31-1 ms, the longest timer Node has", () => {
    expect(parseDuration("2147483647ms", "--timeout")).toBe(2147483647);
  });

  test.each(["2147483648ms", "2147484s", "35792m", "99999999999999999999"])(
    "rejects %j as longer than a timer can wait",
    (text) => {
      expect(() => parseDuration(text, "--timeout")).toThrow(
        expect.objectContaining({
          code: "USAGE",
          message: "--timeout must be at most 24 days",
        }) as Error,
      );
    },
  );
});

describe("parseSize", () => {
  test.each([
    ["1048576", 1048576],
    ["512K", 512 * 1024],
    ["4M", 4 * 1024 * 1024],
    ["2MiB", 2 * 1024 * 1024],
  ])("reads %s", (text, bytes) => {
    expect(parseSize(text, "--max-size")).toBe(bytes);
  });

  test.each(["", "1G", "x", "0"])("rejects %j", (text) => {
    expect(() => parseSize(text, "--max-size")).toThrow(
      expect.objectContaining({ code: "USAGE" }) as Error,
    );
  });
});

describe("key lists", () => {
  const K1 = "arn:aws:kms:us-east-1:123456789012:key/k1";
  const K2 = "arn:aws:kms:us-east-1:123456789012:key/k2";
  const K3 = "arn:aws:kms:us-east-1:123456789012:key/k3";

  test("S3_KMS_ENV_KMS_KEY_ID is split on commas and white space", () => {
    const specs = keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: ` ${K1},\n${K2}  ${K3}, ` });
    expect(specs.env).toEqual([K1, K2, K3]);
  });

  test("--kms-key-id is repeatable and comma-separated", () => {
    expect(keySpecs({ "kms-key-id": [`${K1},${K2}`, K3] }, {}).flag).toEqual([K1, K2, K3]);
  });

  test("a reader trusts the flags instead of the variable when both are given", () => {
    const specs = keySpecs({ "kms-key-id": [K1] }, { S3_KMS_ENV_KMS_KEY_ID: K2 });
    expect(readerKeySpecs(specs)).toEqual([K1]);
  });

  test("a writer trusts --trusted-kms-key-id and the key it writes with", () => {
    const specs = keySpecs(
      { "kms-key-id": [K3], "trusted-kms-key-id": [K1] },
      { S3_KMS_ENV_KMS_KEY_ID: K2 },
    );
    expect(writerKeySpecs(specs)).toEqual([K1, K3]);
  });

  test("a writer without --trusted-kms-key-id trusts S3_KMS_ENV_KMS_KEY_ID", () => {
    expect(writerKeySpecs(keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: `${K1},${K2}` }))).toEqual([
      K1,
      K2,
    ]);
  });

  test("writes with S3_KMS_ENV_KMS_KEY_ID only when it names one key", () => {
    expect(writeKeySpec(keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: K1 }))).toBe(K1);
    expect(writeKeySpec(keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: `${K1},${K2}` }))).toBeUndefined();
  });

  test("refuses two keys to write with", () => {
    expect(() => writeKeySpec(keySpecs({ "kms-key-id": [K1, K2] }, {}))).toThrow(
      expect.objectContaining({
        code: "USAGE",
        message: "give --kms-key-id once: it is the one key to write with",
      }) as Error,
    );
  });
});
