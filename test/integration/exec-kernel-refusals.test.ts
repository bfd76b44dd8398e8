// ELF files the kernel refuses although they have the ELF magic, and a
// binary the kernel refuses for its state rather than its bytes. On Node
// before 26.1 process.execve aborted the process on any of these (SIGABRT, a
// native stack, a core dump holding the secrets). Now each is one error line
// and 126, the app never starts, and --spawn never hands the file to
// /bin/sh (glibc's execvp does that on ENOEXEC). Core dumps are enabled in
// these runs so that an abort would show.
import {
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { ExecFixture, expectFailure, expectNoAbort, runExec, ScratchDir } from "../support/exec";

let fx: ExecFixture;
let scratch: ScratchDir;
let uri: string;
// The loader path in /bin/true is replaced in place, so a path of the same
// length is needed: a short directory directly under /tmp.
let shortDir: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-kernel");
  scratch = new ScratchDir();
  shortDir = mkdtempSync("/tmp/k");
  uri = await fx.put("DB_USERNAME=app\n");
});

afterAll(() => {
  fx.destroy();
  scratch.remove();
  rmSync(shortDir, { recursive: true, force: true });
});

const MODES = [
  ["execve", []],
  ["--spawn", ["--spawn"]],
] as const;

const WITH_CORE_DUMPS = ["/bin/sh", "-c", 'ulimit -c unlimited 2>/dev/null; exec "$@"', "sh"];

/** A copy of /bin/true with `patch` applied to its bytes. */
function patchedTrue(name: string, patch: (elf: Buffer) => void): string {
  const elf = readFileSync("/bin/true");
  patch(elf);
  const file = scratch.freshPath(name);
  writeFileSync(file, elf, { mode: 0o755 });
  return file;
}

const E_TYPE = 0x10;
const E_PHENTSIZE = 0x36;
const LOADER = "/lib64/ld-linux-x86-64.so.2";

describe.each(MODES)("a file the kernel would refuse (%s)", (_mode, flags) => {
  async function refused(command: string, reason: string): Promise<void> {
    const marker = scratch.marker();
    const result = await runExec({
      flags: [...flags, "-q"],
      sources: [uri],
      command: [command, ...marker.command],
      wrapper: WITH_CORE_DUMPS,
    });
    expectFailure(result, "COMMAND_NOT_EXECUTABLE", `${command}: ${reason}`, 126);
    expectNoAbort(result);
    expect(marker.ran()).toBe(false);
  }

  test.concurrent("an ELF relocatable object (e_type ET_REL, like gcc -c)", async () => {
    const file = patchedTrue("t.o", (elf) => elf.writeUInt16LE(1, E_TYPE));
    await refused(file, "an ELF file that is not a program (an object file or core dump?)");
  });

  test.concurrent("an ELF file of type ET_NONE", async () => {
    const file = patchedTrue("none", (elf) => elf.writeUInt16LE(0, E_TYPE));
    await refused(file, "an ELF file that is not a program (an object file or core dump?)");
  });

  test.concurrent("an ELF binary with a malformed program header table", async () => {
    const file = patchedTrue("phent", (elf) => elf.writeUInt16LE(0, E_PHENTSIZE));
    await refused(file, "a malformed ELF binary (bad program header table)");
  });

  test.concurrent("an ELF binary whose dynamic loader is a script", async () => {
    const script = path.join(shortDir, "x".repeat(LOADER.length - shortDir.length - 1));
    writeFileSync(script, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const file = patchedTrue("interp", (elf) => {
      const at = elf.indexOf(`${LOADER}\0`);
      if (at === -1) throw new Error("/bin/true names no loader");
      elf.write(script, at, "latin1");
    });
    await refused(file, `its dynamic loader ${script} is not a readable ELF binary`);
  });

  // Nothing in the file's bytes tells: only the kernel knows that a writer
  // holds it open (a build still writing it, a race). This is execve failing
  // for real, handled after the fact.
  test.concurrent("a binary still open for writing (ETXTBSY)", async () => {
    const file = scratch.freshPath("busy");
    copyFileSync("/bin/true", file);
    const writer = openSync(file, "r+");
    try {
      await refused(
        file,
        "cannot execute: text file busy (the file is open for writing) (ETXTBSY)",
      );
    } finally {
      closeSync(writer);
    }
  });
});
