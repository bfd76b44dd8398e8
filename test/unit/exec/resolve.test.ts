import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkExecutableFormat } from "../../../src/exec/format";
import { resolveCommand } from "../../../src/exec/resolve";
import { argumentSpace, argumentSpaceFor, checkArgumentSpace } from "../../../src/exec/limits";

const dir = mkdtempSync(join(tmpdir(), "resolve-"));
function file(name: string, content: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}
const script = file("script", "#!/bin/sh\nexit 0\n", 0o755);
file("plain", "hello\n", 0o644);
file("noshebang", "echo hi\n", 0o755);
file("badinterp", "#!/nonexistent/interp\n", 0o755);
mkdirSync(join(dir, "adir"));

describe("resolveCommand", () => {
  test("finds a command on PATH", () => {
    expect(resolveCommand("script", `/nonexistent:${dir}`)).toBe(script);
  });

  test("takes a path with a slash as it is", () => {
    expect(resolveCommand(script, undefined)).toBe(script);
  });

  test("reports a missing command with exit code 127", () => {
    expect(() => resolveCommand("no-such-cmd", dir)).toThrow(
      expect.objectContaining({
        code: "COMMAND_NOT_FOUND",
        message: "no-such-cmd: command not found",
      }) as Error,
    );
  });

  test("reports a file without execute permission with exit code 126", () => {
    expect(() => resolveCommand(join(dir, "plain"), undefined)).toThrow(
      expect.objectContaining({ code: "COMMAND_NOT_EXECUTABLE" }) as Error,
    );
  });

  test("reports a directory with exit code 126", () => {
    expect(() => resolveCommand(join(dir, "adir"), undefined)).toThrow(
      expect.objectContaining({ code: "COMMAND_NOT_EXECUTABLE" }) as Error,
    );
  });
});

describe("checkExecutableFormat", () => {
  test("accepts an ELF binary", () => {
    expect(() => checkExecutableFormat("/bin/sh", "sh")).not.toThrow();
  });

  test("accepts a script whose interpreter exists", () => {
    expect(() => checkExecutableFormat(script, "script")).not.toThrow();
  });

  test("refuses a file with neither ELF header nor #! (exit 126)", () => {
    expect(() => checkExecutableFormat(join(dir, "noshebang"), "noshebang")).toThrow(
      expect.objectContaining({ code: "COMMAND_NOT_EXECUTABLE" }) as Error,
    );
  });

  test("returns no added strings for an ELF binary", () => {
    expect(checkExecutableFormat("/bin/sh", "sh")).toEqual([]);
  });

  test("returns what the kernel adds for a script: interpreter, argument, path", () => {
    const withArgument = file("witharg", "#!/bin/sh  -e -u \nexit 0\n", 0o755);
    expect(checkExecutableFormat(script, "script")).toEqual(["/bin/sh", script]);
    expect(checkExecutableFormat(withArgument, "witharg")).toEqual([
      "/bin/sh",
      "-e -u",
      withArgument,
    ]);
  });

  test("reports a missing interpreter with exit code 127", () => {
    expect(() => checkExecutableFormat(join(dir, "badinterp"), "badinterp")).toThrow(
      expect.objectContaining({
        code: "COMMAND_NOT_FOUND",
        message: 'badinterp: bad interpreter "/nonexistent/interp": no such file',
      }) as Error,
    );
  });
});

describe("checkArgumentSpace", () => {
  test("accepts an ordinary environment", () => {
    expect(() => checkArgumentSpace(["app"], { A: "1" })).not.toThrow();
  });

  test("refuses one variable over 128 KiB, naming it", () => {
    expect(() => checkArgumentSpace(["app"], { BIG: "x".repeat(128 * 1024) })).toThrow(
      expect.objectContaining({
        code: "ENV_TOO_LARGE",
        message: expect.stringContaining("variable BIG is") as string,
      }) as Error,
    );
  });

  test("counts the program's path, which execve copies too", () => {
    // One string filling all the room but the path's 10 bytes ("/bin/true" and its NUL).
    const room = argumentSpace() - ("app".length + 1 + 8) - 10;
    const env: Record<string, string> = {};
    let left = room;
    for (let i = 0; left > 0; i++) {
      const value = "x".repeat(Math.min(100 * 1024, left - (`V${i}=`.length + 1 + 8)));
      env[`V${i}`] = value;
      left -= `V${i}=`.length + value.length + 1 + 8;
    }
    expect(left).toBe(0);
    expect(() => checkArgumentSpace(["app"], env, ["/bin/true"])).not.toThrow();
    expect(() => checkArgumentSpace(["app"], env, ["/bin/truer"])).toThrow(
      expect.objectContaining({ code: "ENV_TOO_LARGE" }) as Error,
    );
  });

  test.each([
    [256 * 1024, 128 * 1024],
    [8 * 1024 * 1024, 2 * 1024 * 1024],
    [64 * 1024 * 1024, 6 * 1024 * 1024],
    [Infinity, 6 * 1024 * 1024],
  ])("a stack limit of %d bytes leaves %d for arguments and environment", (stack, space) => {
    expect(argumentSpaceFor(stack)).toBe(space);
  });

  test("refuses an environment larger than the argument space", () => {
    const env = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`V${i}`, "x".repeat(100 * 1024)]),
    );
    expect(() => checkArgumentSpace(["app"], env)).toThrow(
      expect.objectContaining({ code: "ENV_TOO_LARGE" }) as Error,
    );
  });
});
