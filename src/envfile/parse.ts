// dotenv syntax, strictly. dotenv's parse() decides every value (quotes,
// multiline, escapes, comments), but it silently drops what it cannot read,
// so this layer first walks the file itself to find each entry's line span
// and to reject what dotenv would skip or misread. Errors carry line numbers
// only: a bad line may well be half of a password.
import { parse as dotenvParse } from "dotenv";
import { EnvFileError } from "../errors";

export interface ParsedEnv {
  /** Names in file order; a later duplicate replaces the earlier value. */
  readonly vars: ReadonlyMap<string, string>;
  /** Names that appeared more than once (the last one won). */
  readonly duplicates: readonly string[];
  /** Names whose value was single- or back-quoted: taken literally, never expanded. */
  readonly literal: ReadonlySet<string>;
}

export const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENTRY_START = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*/;
const QUOTES = new Set(["'", '"', "`"]);

function fail(where: string, line: number, why: string): EnvFileError {
  return new EnvFileError("PARSE", `${where}: line ${line}: ${why}`);
}

/** Bytes → text: size limit, no NUL, valid UTF-8, BOM removed, newlines normalised. */
function decode(bytes: Uint8Array, where: string, maxBytes: number): string {
  if (bytes.length > maxBytes) {
    throw new EnvFileError(
      "TOO_LARGE",
      `${where} is ${bytes.length} bytes, over the ${maxBytes}-byte limit; raise --max-size if this is intended`,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const line = 1 + bytes.subarray(0, nul).filter((b) => b === 10).length;
    throw new EnvFileError("NUL_BYTE", `${where}: line ${line}: contains a NUL byte`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new EnvFileError("NOT_UTF8", `${where} is not valid UTF-8`);
  }
  return text.replace(/\r\n?/g, "\n");
}

/** Index just past the closing quote of a quoted value starting at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  const q = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\" && text[i + 1] === q) i++;
    else if (text[i] === q) return i + 1;
  }
  return -1;
}

function newlinesBetween(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

export function parseEnvFile(bytes: Uint8Array, where: string, maxBytes: number): ParsedEnv {
  const text = decode(bytes, where, maxBytes);
  const vars = new Map<string, string>();
  const duplicates: string[] = [];
  const literal = new Set<string>();
  let pos = 0;
  let lineNo = 1;
  while (pos < text.length) {
    const eol = text.indexOf("\n", pos);
    const lineEnd = eol === -1 ? text.length : eol;
    const line = text.slice(pos, lineEnd);
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      pos = lineEnd + 1;
      lineNo++;
      continue;
    }
    const m = ENTRY_START.exec(line);
    if (!m || m[1] === undefined) {
      throw fail(where, lineNo, "expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*");
    }
    const name = m[1];
    const valueStart = pos + m[0].length;
    let entryEnd = lineEnd;
    const first = text[valueStart];
    if (first !== undefined && QUOTES.has(first)) {
      const close = closingQuote(text, valueStart);
      if (close === -1) throw fail(where, lineNo, "quoted value is never closed");
      const restEnd = text.indexOf("\n", close);
      entryEnd = restEnd === -1 ? text.length : restEnd;
      const rest = text.slice(close, entryEnd).trim();
      if (rest !== "" && !rest.startsWith("#")) {
        throw fail(
          where,
          lineNo + newlinesBetween(text, pos, close),
          "unexpected text after the closing quote",
        );
      }
    } else if (/[^ \t]#/.test(line.slice(m[0].length))) {
      // dotenv cuts "p#ss" to "p": a truncated secret is worse than an error.
      throw fail(
        where,
        lineNo,
        "unquoted value contains '#', which dotenv reads as a comment; quote the value",
      );
    }
    const parsed = dotenvParse(text.slice(pos, entryEnd));
    const keys = Object.keys(parsed);
    const value = parsed[name];
    if (keys.length !== 1 || value === undefined) {
      throw fail(where, lineNo, "cannot be parsed as NAME=value");
    }
    if (vars.has(name)) {
      duplicates.push(name);
      vars.delete(name);
    }
    vars.set(name, value);
    if (first === "'" || first === "`") literal.add(name);
    else literal.delete(name);
    lineNo += 1 + newlinesBetween(text, pos, entryEnd);
    pos = entryEnd + 1;
  }
  return { vars, duplicates, literal };
}
