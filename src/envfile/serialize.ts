// Variables → text, for the files ops commands write and for `get --reveal`.
// A value is written so that parseEnvFile reads back exactly the same string,
// with and without exec --expand, in the first style that can hold it:
// bare; single or back quotes (literal, even under --expand, but they cannot
// hold their own quote, a carriage return or a trailing backslash); double
// quotes (only \n and \r escapes, so no backslash and no $); bare again for
// what is left. Errors name the variable, never the value.
import { S3KmsEnvError } from "../errors";
import { lookalikeName, NAME } from "./parse";

// Written bare: nothing dotenv trims, cuts at '#', unquotes or expands.
const BARE = /^[\w@%+=:,./-]+$/;

function unrepresentable(name: string, why: string): S3KmsEnvError {
  return new S3KmsEnvError(
    "NOT_REPRESENTABLE",
    `the value of ${name} cannot be written to a dotenv file: ${why}`,
  );
}

/** A line after the first that the parser would refuse as a hidden assignment to one of `names`. */
function hidesAssignment(value: string, names: ReadonlySet<string>): boolean {
  if (names.size === 0 || !value.includes("\n")) return false;
  return value
    .split("\n")
    .slice(1)
    .some((line) => {
      const seen = lookalikeName(line);
      return seen !== undefined && names.has(seen);
    });
}

function literalQuote(value: string, names: ReadonlySet<string>): string | undefined {
  if (value.endsWith("\\") || value.includes("\r") || hidesAssignment(value, names)) {
    return undefined;
  }
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes("`")) return `\`${value}\``;
  return undefined;
}

/** Unquoted, the parser keeps the line after the = as it is, if nothing in it is special. */
function fitsBare(value: string): boolean {
  return !/^['"`]|[#$\n\r\u2028\u2029]/.test(value) && value.trim() === value;
}

/**
 * The right-hand side of NAME=… for one value. `names` are the variables of
 * the file it goes into: a line of a multi-line value that reads like an
 * assignment to one of them would be refused by the parser.
 */
export function quoteValue(
  name: string,
  value: string,
  names: ReadonlySet<string> = new Set(),
): string {
  if (value === "" || BARE.test(value)) return value;
  if (value.includes("\0")) throw unrepresentable(name, "it contains a NUL byte");
  const literal = literalQuote(value, names);
  if (literal !== undefined) return literal;
  // Double quotes and the bare form are expanded by exec --expand.
  if (value.includes("$")) {
    throw unrepresentable(
      name,
      "it contains a $, which only single or back quotes keep literal under exec --expand, and it cannot be single- or back-quoted (it has both ' and `, a carriage return or a trailing backslash)",
    );
  }
  if (!/["\\]/.test(value)) return `"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
  if (fitsBare(value)) return value;
  throw unrepresentable(
    name,
    "no dotenv quoting can hold it (it mixes all three quote characters, or has a backslash together with a double quote, a carriage return, a line break or white space at either end)",
  );
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new S3KmsEnvError("NOT_REPRESENTABLE", `"${name}" is not a valid variable name`);
  }
}

/** One NAME=value line per variable, in the map's order. */
export function serializeEnv(vars: ReadonlyMap<string, string>): string {
  const names = new Set(vars.keys());
  let text = "";
  for (const [name, value] of vars) {
    checkName(name);
    text += `${name}=${quoteValue(name, value, names)}\n`;
  }
  return text;
}

/** `export NAME='…'` lines for sh/bash/zsh: single quotes, with ' written as '\''. */
export function serializeShell(vars: ReadonlyMap<string, string>): string {
  let text = "";
  for (const [name, value] of vars) {
    checkName(name);
    text += `export ${name}='${value.replace(/'/g, "'\\''")}'\n`;
  }
  return text;
}

/** A JSON object of the variables, in the map's order. */
export function serializeJson(vars: ReadonlyMap<string, string>): string {
  return JSON.stringify(Object.fromEntries(vars), null, 2) + "\n";
}

/** What get --reveal and render can print or write. */
export const OUTPUT_FORMATS = ["dotenv", "json", "shell"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(text: string): text is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(text);
}

/** The variables as `format`: dotenv that our parser reads back identically, JSON, or export lines. */
export function serializeAs(vars: ReadonlyMap<string, string>, format: OutputFormat): string {
  if (format === "json") return serializeJson(vars);
  if (format === "shell") return serializeShell(vars);
  return serializeEnv(vars);
}
