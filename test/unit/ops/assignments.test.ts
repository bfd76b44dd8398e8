import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseAssignments, resolveAssignments } from "../../../src/ops/assignments";

const usage = (message: string) => expect.objectContaining({ code: "USAGE", message }) as Error;

describe("parseAssignments", () => {
  test("reads NAME=value, NAME=@file, NAME=@@literal and NAME=-", () => {
    expect(parseAssignments(["A=1=2", "B=@/run/b", "C=-", "D=", "E=@@x@", "F=@@"])).toEqual([
      { name: "A", source: { kind: "literal", value: "1=2" } },
      { name: "B", source: { kind: "file", path: "/run/b" } },
      { name: "C", source: { kind: "stdin" } },
      { name: "D", source: { kind: "literal", value: "" } },
      { name: "E", source: { kind: "literal", value: "@x@" } },
      { name: "F", source: { kind: "literal", value: "@" } },
    ]);
  });

  test("names the position of an argument without '=', not its text", () => {
    expect(() => parseAssignments(["A=1", "s3cr3t"])).toThrow(
      usage("argument 2 is not NAME=value, NAME=@file or NAME=-"),
    );
  });

  test("refuses an invalid name by position", () => {
    expect(() => parseAssignments(["1A=x"])).toThrow(
      usage("argument 1: a variable name must match [A-Za-z_][A-Za-z0-9_]*"),
    );
  });

  test("refuses a name given twice", () => {
    expect(() => parseAssignments(["A=1", "A=2"])).toThrow(usage("A is given more than once"));
  });

  test("allows only one value from stdin", () => {
    expect(() => parseAssignments(["A=-", "B=-"])).toThrow(
      usage("only one value can come from stdin (NAME=-)"),
    );
  });
});

describe("resolveAssignments", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-assign-"));

  test("reads a file's value without its one trailing newline", async () => {
    const file = path.join(dir, "v");
    writeFileSync(file, "line1\nline2\n\n");
    const values = await resolveAssignments(parseAssignments([`V=@${file}`]), 1024);
    expect(values.get("V")).toBe("line1\nline2\n");
  });

  // What follows "=@" may be a secret that merely starts with "@": no message shows it.
  test("refuses a value file that is not UTF-8, naming the variable only", async () => {
    const file = path.join(dir, "bin");
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00]));
    await expect(resolveAssignments(parseAssignments([`V=@${file}`]), 1024)).rejects.toMatchObject({
      code: "NOT_UTF8",
      message: "the file given for V is not valid UTF-8",
    });
  });

  test("refuses a value file over the size limit, naming the variable only", async () => {
    const file = path.join(dir, "big");
    writeFileSync(file, "x".repeat(20));
    await expect(resolveAssignments(parseAssignments([`V=@${file}`]), 10)).rejects.toMatchObject({
      code: "TOO_LARGE",
      message:
        "the file given for V is over the 10-byte limit; raise --max-size if this is intended",
    });
  });

  test("a file that cannot be read is named by the variable, with the @@ escape", async () => {
    await expect(
      resolveAssignments(parseAssignments(["API_KEY=@Sup3rS3cret!"]), 1024),
    ).rejects.toMatchObject({
      code: "CANNOT_READ_FILE",
      message:
        'cannot read the file given for API_KEY (ENOENT); for a value that starts with "@", write API_KEY=@@…',
    });
  });

  test("refuses an empty value file: NAME= is how to set an empty value", async () => {
    const file = path.join(dir, "empty");
    writeFileSync(file, "\n");
    await expect(resolveAssignments(parseAssignments([`V=@${file}`]), 1024)).rejects.toMatchObject({
      code: "USAGE",
      message:
        'the file given for V is empty, so V would be set to ""; nothing was written. To set an empty value, write V=',
    });
  });
});
