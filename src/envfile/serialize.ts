// Variables → text, for the files ops commands write and for `get --reveal`.
// A value is written so that parseEnvFile reads back exactly the same string,
// with and without exec --expand: dotenv takes single-quoted and back-quoted
// values literally but cannot escape the quote itself, and expands only \n and
// \r inside double quotes, so each value gets the first style that can hold
// it. --expand expands $ in double-quoted and unquoted values only, so a value
// with a $ is single- or back-quoted, or refused. Errors name the variable,
// never the value.
import { OpsError } from "../errors";
import { NAME } from "./parse";

// Written bare: nothing dotenv trims, cuts at '#', unquotes or expands.
const BARE = /^[\w@%+=:,./-]+$/;

function unrepresentable(name: string, why: string): OpsError {
  return new OpsError(
    "NOT_REPRESENTABLE",
    `the value of ${name} cannot be written to a dotenv file: ${why}`,
  );
}

/** The right-hand side of NAME=… for one value. */
export function quoteValue(name: string, value: string): string {
  if (value === "" || BARE.test(value)) return value;
  if (value.includes("\0")) throw unrepresentable(name, "it contains a NUL byte");
  // A closing quote right after a backslash reads as an escaped quote, and a
  // carriage return inside quotes is read back as a newline.
  const endsWithBackslash = value.endsWith("\\");
  if (!endsWithBackslash && !value.includes("\r")) {
    // Single, then back quotes: both stay literal under exec --expand.
    if (!value.includes("'")) return `'${value}'`;
    if (!value.includes("`")) return `\`${value}\``;
  }
  // Double quotes and the bare form are expanded by exec --expand.
  if (value.includes("$")) {
    throw unrepresentable(
      name,
      "it contains a $, which only single or back quotes keep literal under exec --expand, and it cannot be single- or back-quoted (it has both ' and `, a carriage return or a trailing backslash)",
    );
  }
  if (!endsWithBackslash && !value.includes('"') && !/\\[nr]/.test(value)) {
    return `"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
  }
  // Unquoted, dotenv keeps everything between the = and the end of the line
  // except white space at either end.
  if (!/^['"`]|[#\n\r]/.test(value) && value.trim() === value) return value;
  throw unrepresentable(
    name,
    "no dotenv quoting can hold it (it mixes all three quote characters, or a carriage return or a literal \\n with a trailing backslash)",
  );
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new OpsError("NOT_REPRESENTABLE", `"${name}" is not a valid variable name`);
  }
}

/** One NAME=value line per variable, in the map's order. */
export function serializeEnv(vars: ReadonlyMap<string, string>): string {
  let text = "";
  for (const [name, value] of vars) {
    checkName(name);
    text += `${name}=${quoteValue(name, value)}\n`;
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
