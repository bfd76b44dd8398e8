import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exitCodeFor } from "../../../src/cli/exit-codes";
import type { S3KmsEnvError } from "../../../src/errors";
import { checkExecutableFormat } from "../../../src/exec/format";

// Each case here made process.execve fail, which aborts Node (exit 134),
// before the format check knew about it.
const dir = mkdtempSync(join(tmpdir(), "format-"));
function file(name: string, content: string | Buffer, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** /bin/true with one change made to its bytes. */
function patchedTrue(name: string, patch: (elf: Buffer) => void): string {
  const path = join(dir, name);
  copyFileSync("/bin/true", path);
  const elf = readFileSync(path);
  patch(elf);
  return file(name, elf);
}

const errorOf = (path: string, shown = "app"): { exitCode: number; message: string } => {
  try {
    checkExecutableFormat(path, shown);
  } catch (err) {
    // The exit code as the CLI boundary chooses it from the error's code.
    return { exitCode: exitCodeFor(err as S3KmsEnvError), message: (err as Error).message };
  }
  throw new Error("expected a format error");
};

test("refuses a #! line with CRLF ending as a missing interpreter (127), saying why", () => {
  const crlf = file("crlf", "#!/bin/sh\r\nexit 0\r\n");
  expect(errorOf(crlf)).toEqual(
    expect.objectContaining({
      exitCode: 127,
      message:
        'app: bad interpreter "/bin/sh\\r": no such file (the #! line ends in \\r: CRLF line endings?)',
    }),
  );
});

test("reads the #! interpreter up to a space or tab only, as the kernel does", () => {
  const withArg = file("witharg", "#!  /bin/sh\t-e  \nexit 0\n");
  expect(checkExecutableFormat(withArg, "witharg")).toEqual(["/bin/sh", "-e", withArg]);
});

test("refuses an interpreter that is a text file without #! (126)", () => {
  const notScript = file("notscript", "echo hi\n");
  const user = file("user", `#!${notScript}\n`);
  expect(errorOf(user)).toEqual(
    expect.objectContaining({
      exitCode: 126,
      message: `app: interpreter "${notScript}": not an executable format (no ELF header and no #! line)`,
    }),
  );
});

test("accepts a script whose interpreter is itself a script", () => {
  const inner = file("inner", "#!/bin/sh\n");
  const outer = file("outer", `#!${inner}\n`);
  expect(checkExecutableFormat(outer, "outer")).toEqual([inner, outer, "/bin/sh", inner]);
});

test("refuses #! interpreters nested more than four deep (126)", () => {
  let previous = file("level0", "#!/bin/sh\n");
  for (let i = 1; i <= 4; i++) previous = file(`level${i}`, `#!${previous}\n`);
  expect(errorOf(previous).exitCode).toBe(126);
});

test("refuses an ELF binary for another machine (126)", () => {
  const arm = patchedTrue("other-arch", (elf) =>
    elf.writeUInt16LE(process.arch === "arm64" ? 62 : 183, 0x12),
  );
  expect(errorOf(arm)).toEqual(
    expect.objectContaining({
      exitCode: 126,
      message: `app: an ELF binary for another architecture (this is ${process.arch})`,
    }),
  );
});

test("refuses an ELF binary whose dynamic loader does not exist (127)", () => {
  const musl = patchedTrue("other-libc", (elf) => {
    const at = elf.indexOf("ld-linux-x86-64.so.2");
    expect(at).toBeGreaterThan(0);
    elf.write("ld-linux-x86-64.so.9", at, "latin1");
  });
  expect(errorOf(musl)).toEqual(
    expect.objectContaining({
      exitCode: 127,
      message: expect.stringMatching(
        /^app: its dynamic loader \/.*ld-linux-x86-64\.so\.9 does not exist here \(built for another libc or distribution\?\)$/,
      ) as string,
    }),
  );
});

test("accepts this machine's own binaries", () => {
  expect(checkExecutableFormat("/bin/true", "true")).toEqual([]);
  expect(checkExecutableFormat(process.execPath, "node")).toEqual([]);
});
