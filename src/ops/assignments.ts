// NAME=value, NAME=@file and NAME=- arguments of `set`. Files and stdin keep
// secrets out of shell history and `ps`; NAME=@@rest is the literal value
// "@rest". Errors name the argument's position or the variable, never what
// follows the "=": not even a file's path, which may be a value that happens
// to start with "@".
import { NAME } from "../envfile/parse";
import { hasCode, S3KmsEnvError, usageError } from "../errors";
import { readInput } from "./local-input";

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
    throw usageError(`argument ${position}: a variable name must match [A-Za-z_][A-Za-z0-9_]*`);
  }
}

export function parseAssignments(args: readonly string[]): Assignment[] {
  const seen = new Set<string>();
  let stdin = false;
  return args.map((arg, i) => {
    const eq = arg.indexOf("=");
    if (eq === -1) {
      throw usageError(`argument ${i + 1} is not NAME=value, NAME=@file or NAME=-`);
    }
    const name = arg.slice(0, eq);
    checkArgName(name, i + 1);
    if (seen.has(name)) throw usageError(`${name} is given more than once`);
    seen.add(name);
    const rhs = arg.slice(eq + 1);
    if (rhs === "-") {
      if (stdin) throw usageError("only one value can come from stdin (NAME=-)");
      stdin = true;
      return { name, source: { kind: "stdin" } };
    }
    if (rhs.startsWith("@@")) return { name, source: { kind: "literal", value: rhs.slice(1) } };
    if (rhs.startsWith("@")) return { name, source: { kind: "file", path: rhs.slice(1) } };
    return { name, source: { kind: "literal", value: rhs } };
  });
}

/** The file or stdin, named by the variable it is for (never by the path). */
async function readSource(name: string, path: string, maxBytes: number): Promise<Buffer> {
  if (path === "-") return readInput(path, maxBytes, "stdin");
  try {
    return await readInput(path, maxBytes, `the file given for ${name}`);
  } catch (err) {
    if (!hasCode(err, "CANNOT_READ_FILE")) throw err;
    throw new S3KmsEnvError(
      "CANNOT_READ_FILE",
      `${err.message}; for a value that starts with "@", write ${name}=@@…`,
    );
  }
}

/**
 * One trailing newline is dropped: files and `echo` end with one that is not
 * part of the value. An empty result is refused: an empty stdin (or file) is
 * far more often a pipe or a mount that failed than an intended empty value,
 * which NAME= sets.
 */
async function readValue(name: string, path: string, maxBytes: number): Promise<string> {
  const from = path === "-" ? "stdin" : `the file given for ${name}`;
  const bytes = await readSource(name, path, maxBytes);
  try {
    let value: string;
    try {
      value = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      const what = path === "-" ? `the value of ${name} from stdin` : from;
      throw new S3KmsEnvError("NOT_UTF8", `${what} is not valid UTF-8`);
    }
    value = value.replace(/\r?\n$/, "");
    if (value === "") {
      throw usageError(
        `${from} is empty, so ${name} would be set to ""; nothing was written. To set an empty value, write ${name}=`,
      );
    }
    return value;
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
