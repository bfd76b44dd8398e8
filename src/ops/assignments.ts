// NAME=value, NAME=@file and NAME=- arguments of `set`. Files and stdin keep
// secrets out of shell history and `ps`. Errors name the argument's position
// or the variable, never what follows the "=".
import { NAME } from "../envfile/parse";
import { OpsError, UsageError } from "../errors";
import { inputName, readInput } from "./local-input";

type Source =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "stdin" };

export interface Assignment {
  readonly name: string;
  readonly source: Source;
}

/** Validates variable names given as arguments (set's and unset's). */
export function checkArgName(name: string, position: number): void {
  if (!NAME.test(name)) {
    throw new UsageError(`argument ${position}: a variable name must match [A-Za-z_][A-Za-z0-9_]*`);
  }
}

export function parseAssignments(args: readonly string[]): Assignment[] {
  const seen = new Set<string>();
  let stdin = false;
  return args.map((arg, i) => {
    const eq = arg.indexOf("=");
    if (eq === -1) {
      throw new UsageError(`argument ${i + 1} is not NAME=value, NAME=@file or NAME=-`);
    }
    const name = arg.slice(0, eq);
    checkArgName(name, i + 1);
    if (seen.has(name)) throw new UsageError(`${name} is given more than once`);
    seen.add(name);
    const rhs = arg.slice(eq + 1);
    if (rhs === "-") {
      if (stdin) throw new UsageError("only one value can come from stdin (NAME=-)");
      stdin = true;
      return { name, source: { kind: "stdin" } };
    }
    if (rhs.startsWith("@")) return { name, source: { kind: "file", path: rhs.slice(1) } };
    return { name, source: { kind: "literal", value: rhs } };
  });
}

/** One trailing newline is dropped: files and `echo` end with one that is not part of the value. */
async function readValue(name: string, path: string, maxBytes: number): Promise<string> {
  const bytes = await readInput(path, maxBytes);
  try {
    let value: string;
    try {
      value = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new OpsError(
        "NOT_UTF8",
        `the value of ${name} from ${inputName(path)} is not valid UTF-8`,
      );
    }
    return value.replace(/\r?\n$/, "");
  } finally {
    bytes.fill(0);
  }
}

export async function resolveAssignments(
  assignments: readonly Assignment[],
  maxBytes: number,
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const { name, source } of assignments) {
    values.set(
      name,
      source.kind === "literal"
        ? source.value
        : await readValue(name, source.kind === "stdin" ? "-" : source.path, maxBytes),
    );
  }
  return values;
}
