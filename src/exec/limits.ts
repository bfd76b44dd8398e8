// Linux refuses execve with E2BIG when one argument or environment string is
// longer than MAX_ARG_STRLEN, or all of them together exceed the argument
// space (a quarter of the stack limit, at most 6 MiB). Checked beforehand
// because a failing process.execve aborts Node.
import { readFileSync } from "node:fs";
import { S3KmsEnvError } from "../errors";

const MAX_ARG_STRLEN = 32 * 4096; // 128 KiB, including the terminating NUL
const POINTER = 8;
const STK_LIM = 8 * 1024 * 1024; // the kernel's _STK_LIM

/**
 * Room for argument and environment strings with their pointers, as Linux
 * computes it for a given stack soft limit: a quarter of it, at most 3/4 of
 * _STK_LIM (6 MiB), at least 128 KiB.
 */
export function argumentSpaceFor(stackLimit: number): number {
  return Math.max(Math.min((STK_LIM / 4) * 3, Math.floor(stackLimit / 4)), MAX_ARG_STRLEN);
}

/** The argument space of this process's stack limit; the default stack's if unknown. */
export function argumentSpace(): number {
  try {
    const limits = readFileSync("/proc/self/limits", "latin1");
    const m = /^Max stack size\s+(\d+|unlimited)/m.exec(limits);
    if (m?.[1]) return argumentSpaceFor(m[1] === "unlimited" ? Infinity : Number(m[1]));
  } catch {
    // Not Linux, or /proc not mounted: use the common default.
  }
  return argumentSpaceFor(STK_LIM);
}

/**
 * `program`: the strings execve copies besides argv and env — the program's
 * path, and for a #! script what checkExecutableFormat returns.
 */
export function checkArgumentSpace(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  program: readonly string[] = [],
): void {
  let total = program.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);
  for (const arg of argv) {
    const size = Buffer.byteLength(arg) + 1;
    if (size > MAX_ARG_STRLEN) {
      throw new S3KmsEnvError(
        "ENV_TOO_LARGE",
        `a command argument is ${size} bytes; Linux allows at most ${MAX_ARG_STRLEN} per argument`,
      );
    }
    total += size + POINTER;
  }
  for (const [name, value] of Object.entries(env)) {
    const size = Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1;
    if (size > MAX_ARG_STRLEN) {
      throw new S3KmsEnvError(
        "ENV_TOO_LARGE",
        `variable ${name} is ${size} bytes; Linux allows at most ${MAX_ARG_STRLEN} bytes per environment string`,
      );
    }
    total += size + POINTER;
  }
  if (total > MAX_ARG_STRLEN) {
    const space = argumentSpace();
    if (total > space) {
      throw new S3KmsEnvError(
        "ENV_TOO_LARGE",
        `the environment and arguments take ${total} bytes; this system allows ${space}`,
      );
    }
  }
}
