// Suites nobody here wrote: dotenv's own fixtures and the values its tests
// expect (see test/fixtures/dotenv/README.md). For each entry we either agree
// with dotenv or refuse the line; never a third meaning.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnvFile } from "../../../src/envfile/parse";
import { S3KmsEnvError } from "../../../src/errors";

const DIR = join(__dirname, "../../fixtures/dotenv");
const expected = JSON.parse(readFileSync(join(DIR, "expected.json"), "utf8")) as Record<
  string,
  Record<string, string>
>;

/** Parses the file, blanking each refused line and trying again: every entry's own outcome. */
function readAll(text: string): { vars: Map<string, string>; refusedLines: number[] } {
  const lines = text.split("\n");
  const refusedLines: number[] = [];
  for (;;) {
    try {
      const { vars } = parseEnvFile(Buffer.from(lines.join("\n")), "f.env", 1024 * 1024);
      return { vars: new Map(vars), refusedLines };
    } catch (err) {
      const line = /^f\.env: line (\d+): /.exec((err as S3KmsEnvError).message)?.[1];
      if (line === undefined) throw err;
      refusedLines.push(Number(line));
      lines[Number(line) - 1] = "";
    }
  }
}

/** Name → line of its assignment in the fixture. */
function lineOf(text: string, name: string): number {
  return (
    text.split("\n").findIndex((l) => new RegExp(`^\\s*(export\\s+)?${name}\\s*=`).test(l)) + 1
  );
}

describe.each([
  // One refusal: dotenv cuts "a#number" to "a" (a comment with no space before it).
  ["basic.env", ["INLINE_COMMENTS_SPACE"]],
  ["multiline.env", []],
])("dotenv's fixture %s", (file, refusedNames) => {
  const text = readFileSync(join(DIR, file), "utf8");
  const { vars, refusedLines } = readAll(text);
  const expectations = Object.entries(expected[file] ?? {});

  test("refuses exactly these entries, by line number", () => {
    expect(refusedLines).toEqual(refusedNames.map((n) => lineOf(text, n)));
  });

  test("reads every other entry as dotenv's tests expect", () => {
    const agreed = expectations.filter(([name]) => !refusedNames.includes(name));
    expect(agreed.length).toBeGreaterThan(15);
    expect(Object.fromEntries(agreed.map(([name]) => [name, vars.get(name)]))).toEqual(
      Object.fromEntries(agreed),
    );
  });

  test("skips the commented-out entry", () => {
    expect(vars.has("COMMENTS")).toBe(false);
  });
});

describe("dotenv's line-ending tests", () => {
  const want = { SERVER: "localhost", PASSWORD: "password", DB: "tests" };
  test.each(["\r", "\n", "\r\n"])("reads %j line endings", (eol) => {
    const text = `SERVER=localhost${eol}PASSWORD=password${eol}DB=tests${eol}`;
    expect(Object.fromEntries(parseEnvFile(Buffer.from(text), "f.env", 1024).vars)).toEqual(want);
  });

  test("lets the last duplicate win, as dotenv's test expects", () => {
    expect(parseEnvFile(Buffer.from("DUP=one\nDUP=two"), "f.env", 1024).vars.get("DUP")).toBe(
      "two",
    );
  });
});
