import { parseEnvFile } from "../../../src/envfile/parse";

const MAX = 1024 * 1024;
const parse = (text: string | Uint8Array) =>
  parseEnvFile(typeof text === "string" ? Buffer.from(text) : text, "s3://b/k", MAX);
const vars = (text: string) => Object.fromEntries(parse(text).vars);
const errorOf = (text: string | Uint8Array): { code: string; message: string } => {
  try {
    parse(text);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error("expected a parse error");
};

describe("parseEnvFile", () => {
  test("reads NAME=value lines", () => {
    expect(vars("A=1\nB=two\n")).toEqual({ A: "1", B: "two" });
  });

  test("skips blank lines and comments", () => {
    expect(vars("# comment\n\n  \nA=1\n  # indented comment\n")).toEqual({ A: "1" });
  });

  test("accepts the export prefix", () => {
    expect(vars("export A=1\n")).toEqual({ A: "1" });
  });

  test("strips single, double and back quotes", () => {
    expect(vars("A='x y'\nB=\"p q\"\nC=`r s`\n")).toEqual({ A: "x y", B: "p q", C: "r s" });
  });

  test("expands \\n only inside double quotes", () => {
    expect(vars("A=\"l1\\nl2\"\nB='l1\\nl2'\n")).toEqual({ A: "l1\nl2", B: "l1\\nl2" });
  });

  test("reads a multiline quoted value", () => {
    expect(vars('KEY="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1\n')).toEqual({
      KEY: "-----BEGIN-----\nabc\n-----END-----",
      NEXT: "1",
    });
  });

  test("keeps # inside a quoted value", () => {
    expect(vars('A="p#ss"\n')).toEqual({ A: "p#ss" });
  });

  test("treats # after white space as a comment", () => {
    expect(vars("A=value # note\n")).toEqual({ A: "value" });
  });

  test("handles CRLF line endings", () => {
    expect(vars("A=1\r\nB=2\r\n")).toEqual({ A: "1", B: "2" });
  });

  test("removes a UTF-8 byte order mark", () => {
    expect(vars("\uFEFFA=1\n")).toEqual({ A: "1" });
  });

  test("allows an empty value", () => {
    expect(vars("A=\n")).toEqual({ A: "" });
  });

  test("keeps = inside a value", () => {
    expect(vars("A=b=c\n")).toEqual({ A: "b=c" });
  });

  test("lets the last duplicate win and reports the name", () => {
    const parsed = parse("A=1\nB=2\nA=3\n");
    expect(Object.fromEntries(parsed.vars)).toEqual({ B: "2", A: "3" });
    expect(parsed.duplicates).toEqual(["A"]);
  });

  test("rejects a line without = by number only", () => {
    expect(errorOf("A=1\nhunter2\n")).toMatchObject({
      code: "PARSE",
      message: "s3://b/k: line 2: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*",
    });
  });

  test.each(["B.C=1", "D-E=1", "1X=1", "NAME: value"])("rejects the name form %s", (line) => {
    expect(errorOf(`${line}\n`).code).toBe("PARSE");
  });

  test("rejects an unquoted value with # that dotenv would cut", () => {
    expect(errorOf("OK=1\nPASS=p#ss\n").message).toBe(
      "s3://b/k: line 2: unquoted value contains '#', which dotenv reads as a comment; quote the value",
    );
  });

  test("rejects an unterminated quote with the line it starts on", () => {
    expect(errorOf('A=1\nB="never closed\nC=3\n').message).toBe(
      "s3://b/k: line 2: quoted value is never closed",
    );
  });

  test("rejects text after a closing quote", () => {
    expect(errorOf('A="x"y\n').message).toBe(
      "s3://b/k: line 1: unexpected text after the closing quote",
    );
  });

  test("counts lines inside a multiline value", () => {
    expect(errorOf('A="1\n2\n3"\nbad\n').message).toBe(
      "s3://b/k: line 4: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*",
    );
  });

  test("rejects a NUL byte with its line", () => {
    expect(errorOf(Buffer.from("A=1\nB=x\0y\n"))).toMatchObject({
      code: "NUL_BYTE",
      message: "s3://b/k: line 2: contains a NUL byte",
    });
  });

  test("rejects invalid UTF-8", () => {
    expect(errorOf(Buffer.from([0x41, 0x3d, 0xff, 0x0a])).code).toBe("NOT_UTF8");
  });

  test("rejects a file over the size limit", () => {
    expect(() => parseEnvFile(Buffer.from("A=12345\n"), "s3://b/k", 4)).toThrow(
      expect.objectContaining({ code: "TOO_LARGE" }) as Error,
    );
  });

  test("never quotes the offending line in an error", () => {
    const canary = "CANARY-hunter2-7f3a";
    for (const text of [`${canary}\n`, `A="${canary}`, `A=${canary}#x\n`, `A="x"${canary}\n`]) {
      expect(errorOf(text).message).not.toContain(canary);
    }
  });
});

describe("parseEnvFile refuses what dotenv would lose, change or hide", () => {
  test.each([
    [
      "A=#secret\n",
      "a value that starts with '#' is read by dotenv as a comment (an empty value); quote the value",
    ],
    [
      "A='x'#c\n",
      "'#' right after the closing quote is read as a comment by dotenv but not by a shell; put a space before it or quote the value",
    ],
    [
      "A='x\\'\n",
      "a backslash right before the closing ' reads as an escaped quote to some readers; use another quote style",
    ],
    [
      'A="a\\tb"\n',
      'a backslash inside double quotes may only start \\n, \\r or \\$ (other readers unescape \\\\, \\" and \\t, dotenv does not); use single quotes for a literal backslash',
    ],
    [
      'A="a\\"b"\n',
      'a backslash inside double quotes may only start \\n, \\r or \\$ (other readers unescape \\\\, \\" and \\t, dotenv does not); use single quotes for a literal backslash',
    ],
    [
      "A=x\u00a0\n",
      "unquoted value starts or ends with invisible white space that dotenv drops; quote the value",
    ],
    ["A=x\u2028B=y\n", "contains a Unicode line or paragraph separator outside quotes"],
    ["# note\u2029B=y\n", "contains a Unicode line or paragraph separator outside quotes"],
    ["A='x' \u2028B=y\n", "contains a Unicode line or paragraph separator outside quotes"],
  ])("refuses %j by line number", (text, why) => {
    expect(errorOf(`OK=1\n${text}`)).toMatchObject({
      code: "PARSE",
      message: `s3://b/k: line 2: ${why}`,
    });
  });

  test("refuses a line inside a quoted value that reads like an assignment to a name the file sets", () => {
    expect(errorOf("A=1\nB='x\nA=2\n'\n").message).toBe(
      "s3://b/k: line 3: this line is inside a quoted value but reads like an assignment to a variable the file sets; move or rename one of them",
    );
  });

  test("gives the line of a bad escape inside a multi-line double-quoted value", () => {
    expect(errorOf('A="x\ny\\\\z"\n').message).toMatch(/^s3:\/\/b\/k: line 2: a backslash/);
  });
});

describe("parseEnvFile accepts, with the value a reader sees", () => {
  test("a space then # after = as a comment, giving an empty value", () => {
    expect(vars("A= # note\n")).toEqual({ A: "" });
  });

  test("a comment after a quoted value", () => {
    expect(vars("A='x' # c\n")).toEqual({ A: "x" });
  });

  test("\\n and \\r escapes inside double quotes", () => {
    expect(vars('A="a\\nb\\rc"\n')).toEqual({ A: "a\nb\rc" });
  });

  test("\\$ inside double quotes as typed (--expand reads it as a literal $)", () => {
    expect(vars('A="\\$x"\n')).toEqual({ A: "\\$x" });
  });

  test("backslashes inside single quotes, literally", () => {
    expect(vars("A='C:\\temp\\n'\n")).toEqual({ A: "C:\\temp\\n" });
  });

  test("a trailing backslash in an unquoted value", () => {
    expect(vars("A=x\\\n")).toEqual({ A: "x\\" });
  });

  test("trailing spaces and tabs of an unquoted value are dropped", () => {
    expect(vars("A=x y \t\n")).toEqual({ A: "x y" });
  });

  test("a lone carriage return as a line end, as dotenv does", () => {
    expect(vars("A=1\rB=2\r")).toEqual({ A: "1", B: "2" });
  });

  test("a line separator inside quotes, as part of the value", () => {
    expect(vars("A='x\u2028y'\n")).toEqual({ A: "x\u2028y" });
  });

  test("a PEM line that looks like an assignment to a name the file does not set", () => {
    expect(vars("K='-----BEGIN-----\nabc=\n-----END-----'\n")).toEqual({
      K: "-----BEGIN-----\nabc=\n-----END-----",
    });
  });
});

describe("parseEnvFile at sizes up to --max-size", () => {
  const BIG = 16 * 1024 * 1024;
  const parseBig = (text: string) => parseEnvFile(Buffer.from(text), "s3://b/k", BIG).vars.get("A");
  const filler = (n: number) => "x".repeat(n);

  test.each([
    ["double-quoted", (v: string) => `A="${v}"\n`, 5],
    ["single-quoted", (v: string) => `A='${v}'\n`, 5],
    ["unquoted", (v: string) => `A=${v}\n`, 3],
  ])("reads a %s value that fills the limit exactly", (_style, render, overhead) => {
    const value = filler(BIG - overhead);
    expect(parseBig(render(value)) === value).toBe(true);
  });

  test("reads a multi-line quoted value of 8 MB", () => {
    const value = `${filler(4 * 1024 * 1024)}\n${filler(4 * 1024 * 1024)}`;
    expect(parseBig(`A="${value}"\n`) === value).toBe(true);
  });

  test("refuses one byte over the limit with TOO_LARGE", () => {
    expect(() => parseBig(`A="${filler(BIG - 4)}"\n`)).toThrow(
      `s3://b/k is ${BIG + 1} bytes, over the ${BIG}-byte limit; raise --max-size if this is intended`,
    );
  });
});
