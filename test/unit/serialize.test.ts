import { parseEnvFile } from "../../src/envfile/parse";
import { quoteValue, serializeEnv, serializeShell } from "../../src/envfile/serialize";

const MAX = 1024 * 1024;
const parse = (text: string) => parseEnvFile(Buffer.from(text), "test.env", MAX).vars;
const roundTrip = (value: string) => parse(serializeEnv(new Map([["V", value]]))).get("V");

describe("quoteValue", () => {
  test.each([
    ["", ""],
    ["plain_value-1.2:3,4/5@x%y+z=", "plain_value-1.2:3,4/5@x%y+z="],
    ["has space", "'has space'"],
    ["p#ss", "'p#ss'"],
    ["$HOME", "'$HOME'"],
    ["it's", "`it's`"],
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
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
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
    // Refusals are the rare exception, not the rule.
    expect(written).toBeGreaterThan(4500);
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
