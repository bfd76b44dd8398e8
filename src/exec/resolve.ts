// Find the program the way execvp would, but without its /bin/sh fallback.
// (That it can really be executed is checked in format.ts.)
import { delimiter, resolve as resolvePath } from "node:path";
import { notExecutable, notFound, probe } from "./probe";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Absolute path of the program, searching the child's PATH when it has no "/". */
export function resolveCommand(command: string, path: string | undefined): string {
  if (command === "") throw notFound("(empty command)");
  if (command.includes("/")) {
    const abs = resolvePath(command);
    const p = probe(abs);
    if (p === "missing") throw notFound(command);
    if (p === "not-executable")
      throw notExecutable(command, "permission denied (not an executable file)");
    return abs;
  }
  let sawNotExecutable = false;
  for (const dir of (path || DEFAULT_PATH).split(delimiter)) {
    // An empty PATH entry means the current directory, as in execvp.
    const candidate = resolvePath(dir === "" ? "." : dir, command);
    const p = probe(candidate);
    if (p === "ok") return candidate;
    if (p === "not-executable") sawNotExecutable = true;
  }
  if (sawNotExecutable) throw notExecutable(command, "permission denied (not an executable file)");
  throw notFound(command);
}
