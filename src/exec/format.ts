// What the kernel will accept in execve: an ELF binary for this machine
// whose program interpreter (the dynamic loader) exists, or a "#!" script
// whose interpreter is itself acceptable (nested at most 4 deep, as Linux's
// BINPRM_MAX_RECURSION). Anything else makes execve fail, and a failing
// process.execve aborts Node, so each case gets its own error here.
import { closeSync, openSync, readSync } from "node:fs";
import { notExecutable, notFound, probe } from "./probe";

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const PT_INTERP = 3;
const ET_EXEC = 2;
const ET_DYN = 3;
/** sizeof(Elf64_Phdr): Linux refuses any other e_phentsize. */
const PHDR_SIZE = 0x38;
/** Linux reads at most 64 KiB of program headers. */
const MAX_PHDRS_BYTES = 65536;
/** e_machine of the architectures Node runs on here. */
const MACHINE: Readonly<Record<string, number>> = { x64: 62, arm64: 183 };
const BINPRM_BUF_SIZE = 256;
const MAX_NESTING = 4;

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, offset));
  } finally {
    closeSync(fd);
  }
}

function isElf(path: string): boolean {
  try {
    return readAt(path, 0, 4).equals(ELF_MAGIC);
  } catch {
    return false;
  }
}

/** The path in PT_INTERP, or undefined for a static binary. */
function elfInterpreter(path: string, header: Buffer): string | undefined {
  const phoff = Number(header.readBigUInt64LE(0x20));
  const phentsize = header.readUInt16LE(0x36);
  const phnum = header.readUInt16LE(0x38);
  const table = readAt(path, phoff, phentsize * phnum);
  for (let i = 0; i + 0x28 <= table.length && i < phentsize * phnum; i += phentsize) {
    if (table.readUInt32LE(i) !== PT_INTERP) continue;
    const offset = Number(table.readBigUInt64LE(i + 0x08));
    const size = Number(table.readBigUInt64LE(i + 0x20));
    const raw = readAt(path, offset, Math.min(size, 4096));
    const nul = raw.indexOf(0);
    return raw.subarray(0, nul === -1 ? raw.length : nul).toString("latin1");
  }
  return undefined;
}

function checkElf(path: string, header: Buffer, shown: string): void {
  const machine = header.length >= 0x40 ? header.readUInt16LE(0x12) : -1;
  const expected = MACHINE[process.arch];
  if (
    header[4] !== ELFCLASS64 ||
    header[5] !== ELFDATA2LSB ||
    (expected !== undefined && machine !== expected)
  ) {
    throw notExecutable(shown, `an ELF binary for another architecture (this is ${process.arch})`);
  }
  // The kernel's own checks (load_elf_binary). Besides sparing a refused
  // execve, they keep --spawn off glibc's execvp, which hands a file the
  // kernel calls ENOEXEC to /bin/sh.
  const type = header.readUInt16LE(0x10);
  if (type !== ET_EXEC && type !== ET_DYN) {
    throw notExecutable(shown, "an ELF file that is not a program (an object file or core dump?)");
  }
  const phnum = header.readUInt16LE(0x38);
  if (header.readUInt16LE(0x36) !== PHDR_SIZE || phnum < 1 || phnum * PHDR_SIZE > MAX_PHDRS_BYTES) {
    throw notExecutable(shown, "a malformed ELF binary (bad program header table)");
  }
  const loader = elfInterpreter(path, header);
  if (loader === undefined) return;
  const p = probe(loader);
  if (p === "missing") {
    throw notFound(
      shown,
      `its dynamic loader ${loader} does not exist here (built for another libc or distribution?)`,
    );
  }
  if (p === "not-executable")
    throw notExecutable(shown, `its dynamic loader ${loader} is not executable`);
  if (!isElf(loader)) {
    throw notExecutable(shown, `its dynamic loader ${loader} is not a readable ELF binary`);
  }
}

/** The #! line as the kernel reads it: only spaces and tabs separate; "\r" is part of a name. */
function parseShebang(head: Buffer, shown: string): { interpreter: string; argument: string } {
  const newline = head.indexOf(10);
  if (newline === -1 && head.length >= BINPRM_BUF_SIZE) {
    throw notExecutable(shown, `its #! line is longer than ${BINPRM_BUF_SIZE - 1} bytes`);
  }
  const line = head
    .subarray(2, newline === -1 ? head.length : newline)
    .toString("latin1")
    .replace(/[ \t]+$/, "");
  const m = /^[ \t]*([^ \t\0]*)[ \t]*([^\0]*)/.exec(line);
  return { interpreter: m?.[1] ?? "", argument: m?.[2] ?? "" };
}

/**
 * Throws the error execve would fail with, as COMMAND_NOT_EXECUTABLE (126) or COMMAND_NOT_FOUND (127).
 * Returns the strings the kernel adds to the arguments (for a script: its
 * interpreters, their #! arguments and the script paths), which count
 * against the argument space.
 */
export function checkExecutableFormat(path: string, shown: string, depth = 0): readonly string[] {
  let head: Buffer;
  try {
    head = readAt(path, 0, BINPRM_BUF_SIZE);
  } catch {
    throw notExecutable(shown, "cannot be read to check its format");
  }
  if (head.subarray(0, 4).equals(ELF_MAGIC)) {
    checkElf(path, head.length >= 0x40 ? head : Buffer.alloc(0x40), shown);
    return [];
  }
  if (head.subarray(0, 2).toString("latin1") !== "#!") {
    throw notExecutable(shown, "not an executable format (no ELF header and no #! line)");
  }
  if (depth >= MAX_NESTING) throw notExecutable(shown, "#! interpreters nested too deeply");
  const { interpreter, argument } = parseShebang(head, shown);
  if (interpreter === "") throw notExecutable(shown, "its #! line names no interpreter");
  const shownInterpreter = JSON.stringify(interpreter);
  const crlf = interpreter.endsWith("\r") ? " (the #! line ends in \\r: CRLF line endings?)" : "";
  const p = probe(interpreter);
  if (p === "missing")
    throw notFound(shown, `bad interpreter ${shownInterpreter}: no such file${crlf}`);
  if (p === "not-executable") {
    throw notExecutable(shown, `interpreter ${shownInterpreter} is not executable`);
  }
  const nested = checkExecutableFormat(
    interpreter,
    `${shown}: interpreter ${shownInterpreter}`,
    depth + 1,
  );
  return [...(argument === "" ? [interpreter, path] : [interpreter, argument, path]), ...nested];
}
