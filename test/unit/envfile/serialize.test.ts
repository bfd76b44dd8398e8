import { expandValues } from "../../../src/envfile/expand";
import { parseEnvFile } from "../../../src/envfile/parse";
import { quoteValue, serializeEnv, serializeShell } from "../../../src/envfile/serialize";

const MAX = 1024 * 1024;
const parse = (text: string) => parseEnvFile(Buffer.from(text), "test.env", MAX).vars;
const roundTrip = (value: string) => parse(serializeEnv(new Map([["V", value]]))).get("V");

/**
 * mulberry32: a seeded generator of 32-bit integers. (A multiply-by-1103515245
 * LCG in doubles loses its low bits past 2^53 and fell into a cycle of a few
 * dozen values.)
 */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe("quoteValue", () => {
  test.each([
    ["", ""],
    ["plain_value-1.2:3,4/5@x%y+z=", "plain_value-1.2:3,4/5@x%y+z="],
    ["has space", "'has space'"],
    ["p#ss", "'p#ss'"],
    ["$HOME", "'$HOME'"],
    ["it's", "`it's`"],
    ["it's $HOME", "`it's $HOME`"],
    ["it's `x`", '"it\'s `x`"'],
    ["l1\nl2 'q' `b`", "\"l1\\nl2 'q' `b`\""],
    ["cr\r", '"cr\\r"'],
  ])("writes %j as %s", (value, written) => {
    expect(quoteValue("V", value)).toBe(written);
  });

  test.each([
    ["a NUL byte", "a\0b"],
    ["all three quotes and a newline escape", "'`\"\\n"],
    ["a trailing backslash with a carriage return", "x\r\\"],
    ["all three quotes", "'\"`"],
  ])("refuses a value with %s, naming only the variable", (_what, value) => {
    expect(() => quoteValue("SECRET_NAME", value)).toThrow(
      expect.objectContaining({
        code: "NOT_REPRESENTABLE",
        message: expect.stringMatching(/^the value of SECRET_NAME cannot be written/) as string,
      }) as Error,
    );
  });
  // exec --expand expands $ in double-quoted and unquoted values: a value with
  // a $ that single and back quotes cannot hold is refused, not written so.
  test.each([
    ["a $, ' and `", "it's `x` $HOME"],
    ["a $ and a carriage return", "$HOME\r"],
    ["a $ and a trailing backslash", "$HOME\\"],
  ])("refuses a value with %s: --expand would change it", (_what, value) => {
    expect(() => quoteValue("SECRET_NAME", value)).toThrow(
      expect.objectContaining({
        code: "NOT_REPRESENTABLE",
        message:
          "the value of SECRET_NAME cannot be written to a dotenv file: it contains a $, which only single or back quotes keep literal under exec --expand, and it cannot be single- or back-quoted (it has both ' and `, a carriage return or a trailing backslash)",
      }) as Error,
    );
  });
});

describe("serializeEnv", () => {
  test("writes one NAME=value line per variable, in order", () => {
    expect(
      serializeEnv(
        new Map([
          ["B", "1"],
          ["A", "two words"],
        ]),
      ),
    ).toBe("B=1\nA='two words'\n");
  });

  test("refuses an invalid name", () => {
    expect(() => serializeEnv(new Map([["1X", "v"]]))).toThrow(
      expect.objectContaining({ code: "NOT_REPRESENTABLE" }) as Error,
    );
  });

  test.each([
    "  leading and trailing  ",
    "multi\nline\nvalue",
    "-----BEGIN KEY-----\nabc\n-----END KEY-----\n",
    "quote ' inside",
    'double " inside',
    "back ` inside",
    "backslash \\ inside",
    "literal \\n stays",
    "trailing backslash\\",
    "ends with newline\n",
    "windows\r\nline",
    "# starts with hash",
    "tab\tinside",
    "export X=1",
    "=leading equals",
    "ünïcödé ☃ \u2028 separator",
    "\uFEFFbom-like",
    "'quoted'",
    '"dq"',
  ])("round-trips %j through parseEnvFile", (value) => {
    expect(roundTrip(value)).toBe(value);
  });

  test("round-trips or refuses every value built from dotenv's special characters", () => {
    const alphabet = ["a", " ", "'", '"', "`", "\\", "n", "r", "\n", "\r", "#", "=", "$", "\t"];
    const next = random(42);
    let written = 0;
    for (let i = 0; i < 5000; i++) {
      const length = next() % 8;
      let value = "";
      for (let j = 0; j < length; j++) value += alphabet[next() % alphabet.length];
      let text: string;
      try {
        text = serializeEnv(new Map([["V", value]]));
      } catch (err) {
        expect(err).toMatchObject({ code: "NOT_REPRESENTABLE" });
        continue;
      }
      written++;
      expect({ value, read: parse(text).get("V") }).toEqual({ value, read: value });
    }
    // Refusals are the exception (about 23% of these worst-case values: all three
    // quotes, a backslash that double quotes cannot hold, or a $ that single and
    // back quotes cannot hold), not the rule.
    expect(written).toBeGreaterThan(3700);
  });

  test("what it writes reads back the same under exec --expand; a $ is only ever ' or ` quoted", () => {
    const alphabet = ["a", " ", "'", '"', "`", "\\", "n", "$", "{", "}", "\n", "\r", "#", "B"];
    const next = random(7);
    let written = 0;
    for (let i = 0; i < 5000; i++) {
      const length = 1 + (next() % 8);
      let value = "";
      for (let j = 0; j < length; j++) value += alphabet[next() % alphabet.length];
      let rhs: string;
      try {
        rhs = quoteValue("V", value);
      } catch (err) {
        expect(err).toMatchObject({ code: "NOT_REPRESENTABLE" });
        continue;
      }
      written++;
      const parsed = parseEnvFile(Buffer.from(`B=b\nV=${rhs}\n`), "test.env", MAX);
      // No variable is undefined, so a $ that --expand saw would either throw or change the value.
      const expanded = expandValues(parsed.vars, parsed.literal, () => undefined, "test.env", MAX);
      expect({ value, read: parsed.vars.get("V"), expanded: expanded.get("V") }).toEqual({
        value,
        read: value,
        expanded: value,
      });
      if (value.includes("$"))
        expect({ value, quote: rhs[0] }).toEqual({
          value,
          quote: expect.stringMatching(/^['`]$/) as string,
        });
    }
    expect(written).toBeGreaterThan(3700);
  });

  test("keeps several multiline variables apart", () => {
    const vars = new Map([
      ["A", "x\ny"],
      ["B", "it's\nz"],
      ["C", "p\"q\n'r"],
    ]);
    expect(parse(serializeEnv(vars))).toEqual(vars);
  });
});

describe("serializeShell", () => {
  test("single-quotes every value and escapes single quotes", () => {
    expect(
      serializeShell(
        new Map([
          ["A", "it's $x"],
          ["B", ""],
        ]),
      ),
    ).toBe("export A='it'\\''s $x'\nexport B=''\n");
  });
});
