import { parseEnvFile } from "../../src/envfile/parse";

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
