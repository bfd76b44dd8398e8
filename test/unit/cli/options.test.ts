import { commonOptions, parse, parseDuration, parseSize } from "../../../src/cli/options";
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
    [["--verbos"], "unknown option --verbos; did you mean --verbose? (see --help)"],
    [["--timout=CANARY-77b2"], "unknown option --timout; did you mean --timeout? (see --help)"],
    [["--kms-key"], "unknown option --kms-key; did you mean --kms-key-id? (see --help)"],
    [["--Quiet"], "unknown option --Quiet; did you mean --quiet? (see --help)"],
    [
      ["--addresing-stlye"],
      "unknown option --addresing-stlye; did you mean --addressing-style? (see --help)",
    ],
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
