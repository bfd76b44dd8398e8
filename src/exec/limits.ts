// Linux refuses execve with E2BIG when one argument or environment string is
// longer than MAX_ARG_STRLEN, or all of them together exceed the argument
// space (a quarter of the stack limit). Checked beforehand because a failing
// process.execve aborts Node.
import { readFileSync } from "node:fs";
import { CommandError, EXIT } from "../errors";

const MAX_ARG_STRLEN = 32 * 4096; // 128 KiB, including the terminating NUL
const POINTER = 8;
const FALLBACK_ARG_SPACE = 2 * 1024 * 1024;

/** A quarter of the stack's soft limit, as the kernel computes it; 2 MiB if unknown. */
function argumentSpace(): number {
  try {
    const limits = readFileSync("/proc/self/limits", "latin1");
    const m = /^Max stack size\s+(\d+|unlimited)/m.exec(limits);
    if (m?.[1] && m[1] !== "unlimited") return Math.max(Number(m[1]) / 4, MAX_ARG_STRLEN);
  } catch {
    // Not Linux, or /proc not mounted: use the common default.
  }
  return FALLBACK_ARG_SPACE;
}

export function checkArgumentSpace(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): void {
  let total = 0;
  for (const arg of argv) {
    const size = Buffer.byteLength(arg) + 1;
    if (size > MAX_ARG_STRLEN) {
      throw new CommandError(
        "ENV_TOO_LARGE",
        `a command argument is ${size} bytes; Linux allows at most ${MAX_ARG_STRLEN} per argument`,
        EXIT.failure,
      );
    }
    total += size + POINTER;
  }
  for (const [name, value] of Object.entries(env)) {
    const size = Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1;
    if (size > MAX_ARG_STRLEN) {
      throw new CommandError(
        "ENV_TOO_LARGE",
        `variable ${name} is ${size} bytes; Linux allows at most ${MAX_ARG_STRLEN} bytes per environment string`,
        EXIT.failure,
      );
    }
    total += size + POINTER;
  }
  if (total > MAX_ARG_STRLEN) {
    const space = argumentSpace();
    if (total > space) {
      throw new CommandError(
        "ENV_TOO_LARGE",
        `the environment and arguments take ${total} bytes; this system allows ${space}`,
        EXIT.failure,
      );
    }
  }
}
