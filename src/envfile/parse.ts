// dotenv syntax, strictly. Every value is decided here, by one left-to-right
// scan, and only in the subset of dotenv's syntax where dotenv, a shell-minded
// human and this scan all read the same string; anything else is refused with
// its line number. dotenv's parse() is not called: it silently drops what it
// cannot read, and its regular expression overflows V8's stack on quoted
// values of a few MB. (The property tests check the accepted subset against
// dotenv's parse() itself.) Errors carry line numbers only: a bad line may
// well be half of a password.
import { S3KmsEnvError, tooLarge } from "../errors";

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
/** A line inside a quoted value that a reader could take for an assignment. */
const LOOKS_LIKE_ENTRY = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=/;

/** The name a line inside a multi-line value seems to assign, if it reads like NAME=…. */
export function lookalikeName(line: string): string | undefined {
  return LOOKS_LIKE_ENTRY.exec(line.slice(0, 256))?.[1];
}
const QUOTES = new Set(["'", '"', "`"]);
// JavaScript's \s: what dotenv trims from an unquoted value. Spaces and tabs
// are the only ones a reader can be expected to notice, or not mind losing.
const INVISIBLE_EDGE = /^[ \t]*[^\S \t]|[^\S \t][ \t]*$/;
// U+2028 and U+2029 end a line for dotenv's regular expression (not for
// editors, grep or us), so outside quotes they would start a hidden entry.
const SEPARATORS = /[\u2028\u2029]/;

function fail(where: string, line: number, why: string): S3KmsEnvError {
  return new S3KmsEnvError("PARSE", `${where}: line ${line}: ${why}`);
}

/** Bytes → text: size limit, no NUL, valid UTF-8, BOM removed, newlines normalised. */
function decode(bytes: Uint8Array, where: string, maxBytes: number): string {
  if (bytes.length > maxBytes) {
    throw tooLarge(`${where} is ${bytes.length} bytes, over`, maxBytes);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const line = 1 + bytes.subarray(0, nul).filter((b) => b === 10).length;
    throw new S3KmsEnvError("NUL_BYTE", `${where}: line ${line}: contains a NUL byte`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new S3KmsEnvError("NOT_UTF8", `${where} is not valid UTF-8`);
  }
  // A lone CR ends a line, as in dotenv and in editors that read old Mac files.
  return text.replace(/\r\n?/g, "\n");
}

function newlinesBetween(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function lineEndFrom(text: string, from: number): number {
  const eol = text.indexOf("\n", from);
  return eol === -1 ? text.length : eol;
}

interface Entry {
  readonly name: string;
  readonly value: string;
  readonly quote: string | undefined;
  /** Index of the newline (or end of text) that ends the entry. */
  readonly end: number;
}

/** A line's own line number and where it sits in the text, for error messages. */
interface Cursor {
  readonly text: string;
  readonly where: string;
  readonly lineNo: number;
  readonly pos: number;
}

/** After a closing quote or an unquoted value: nothing, or white space then a comment. */
function checkTail(c: Cursor, tail: string, line: number, after: string): void {
  if (SEPARATORS.test(tail)) {
    throw fail(c.where, line, "contains a Unicode line or paragraph separator outside quotes");
  }
  const rest = tail.replace(/^[ \t]+/, "");
  if (rest === "") return;
  if (rest.startsWith("#") && rest.length < tail.length) return;
  if (rest.startsWith("#")) {
    throw fail(
      c.where,
      line,
      `'#' right after ${after} is read as a comment by dotenv but not by a shell; put a space before it or quote the value`,
    );
  }
  throw fail(c.where, line, `unexpected text after ${after}`);
}

/** The characters between the quotes, with dotenv's meaning, or a refusal. */
function quotedContent(c: Cursor, open: number): { content: string; close: number } {
  const { text } = c;
  const q = text[open] ?? "";
  const close = text.indexOf(q, open + 1);
  if (close === -1) throw fail(c.where, c.lineNo, "quoted value is never closed");
  const content = text.slice(open + 1, close);
  const lineOf = (i: number): number => c.lineNo + newlinesBetween(text, c.pos, i);
  if (q === '"') {
    // dotenv turns only \n and \r into control characters and keeps \" \\ \t
    // as typed, where shells, Compose and python-dotenv unescape them. \$ is
    // kept too: it is --expand's literal dollar.
    for (let i = content.indexOf("\\"); i !== -1; i = content.indexOf("\\", i + 2)) {
      const next = content[i + 1];
      if (next !== "n" && next !== "r" && next !== "$") {
        throw fail(
          c.where,
          lineOf(open + 1 + i),
          'a backslash inside double quotes may only start \\n, \\r or \\$ (other readers unescape \\\\, \\" and \\t, dotenv does not); use single quotes for a literal backslash',
        );
      }
    }
  } else if (content.endsWith("\\")) {
    throw fail(
      c.where,
      lineOf(close),
      `a backslash right before the closing ${q} reads as an escaped quote to some readers; use another quote style`,
    );
  }
  return { content, close };
}

function readQuoted(c: Cursor, name: string, open: number): Entry {
  const { text } = c;
  const quote = text[open] ?? "";
  const { content, close } = quotedContent(c, open);
  const end = lineEndFrom(text, close + 1);
  checkTail(
    c,
    text.slice(close + 1, end),
    c.lineNo + newlinesBetween(text, c.pos, close),
    "the closing quote",
  );
  const value =
    quote === '"' && content.includes("\\")
      ? content.replace(/\\n/g, "\n").replace(/\\r/g, "\r")
      : content;
  return { name, value, quote, end };
}

function readUnquoted(c: Cursor, name: string, start: number, spaced: boolean): Entry {
  const end = lineEndFrom(c.text, start);
  const raw = c.text.slice(start, end);
  const hash = raw.indexOf("#");
  if (hash === 0 && !spaced) {
    // dotenv reads A=#x as an empty A: the whole value would be lost.
    throw fail(
      c.where,
      c.lineNo,
      "a value that starts with '#' is read by dotenv as a comment (an empty value); quote the value",
    );
  }
  if (/[^ \t]#/.test(raw)) {
    // dotenv cuts "p#ss" to "p": a truncated secret is worse than an error.
    throw fail(
      c.where,
      c.lineNo,
      "unquoted value contains '#', which dotenv reads as a comment; quote the value",
    );
  }
  const body = hash === -1 ? raw : raw.slice(0, hash);
  if (SEPARATORS.test(raw)) {
    throw fail(c.where, c.lineNo, "contains a Unicode line or paragraph separator outside quotes");
  }
  if (INVISIBLE_EDGE.test(body)) {
    throw fail(
      c.where,
      c.lineNo,
      "unquoted value starts or ends with invisible white space that dotenv drops; quote the value",
    );
  }
  return { name, value: body.replace(/[ \t]+$/, ""), quote: undefined, end };
}

function readEntry(c: Cursor, line: string): Entry {
  const m = ENTRY_START.exec(line);
  if (!m || m[1] === undefined) {
    throw fail(c.where, c.lineNo, "expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*");
  }
  const valueStart = c.pos + m[0].length;
  const first = c.text[valueStart];
  if (first !== undefined && QUOTES.has(first)) return readQuoted(c, m[1], valueStart);
  return readUnquoted(c, m[1], valueStart, /[ \t]$/.test(m[0]));
}

function isSkipped(c: Cursor, line: string): boolean {
  const trimmed = line.replace(/^[ \t]+/, "");
  if (trimmed !== "" && !trimmed.startsWith("#")) return false;
  if (SEPARATORS.test(line)) {
    throw fail(c.where, c.lineNo, "contains a Unicode line or paragraph separator outside quotes");
  }
  return true;
}

/** Lines inside multi-line quoted values that look like assignments: line number → name. */
type Lookalikes = Map<number, string>;

function collectLookalikes(c: Cursor, entry: Entry, into: Lookalikes): void {
  if (entry.quote === undefined) return;
  let lineNo = c.lineNo;
  for (
    let i = c.text.indexOf("\n", c.pos);
    i !== -1 && i < entry.end;
    i = c.text.indexOf("\n", i + 1)
  ) {
    lineNo++;
    const name = lookalikeName(c.text.slice(i + 1, Math.min(i + 1 + 256, entry.end)));
    if (name !== undefined) into.set(lineNo, name);
  }
}

/**
 * A line inside a quoted value that reads like an assignment to a name the
 * file sets would show a reader a value the app never gets.
 */
function checkLookalikes(
  where: string,
  lookalikes: Lookalikes,
  vars: ReadonlyMap<string, string>,
): void {
  for (const [lineNo, name] of lookalikes) {
    if (vars.has(name)) {
      throw fail(
        where,
        lineNo,
        "this line is inside a quoted value but reads like an assignment to a variable the file sets; move or rename one of them",
      );
    }
  }
}

/** Where one entry sits in the file's text: its first line's start to its end. */
export interface EntrySpan {
  readonly name: string;
  /** Index of the first character of the entry's first line. */
  readonly start: number;
  /** Index of the newline (or end of text) that ends the entry. */
  readonly end: number;
}

/** The parse, with the decoded text and where each entry sits in it (set and unset keep the rest). */
export interface EnvLayout extends ParsedEnv {
  /** The text as parsed: BOM removed, newlines normalised to \n. */
  readonly text: string;
  readonly spans: readonly EntrySpan[];
}

export function parseEnvFile(bytes: Uint8Array, where: string, maxBytes: number): ParsedEnv {
  const { vars, duplicates, literal } = parseEnvLayout(bytes, where, maxBytes);
  return { vars, duplicates, literal };
}

export function parseEnvLayout(bytes: Uint8Array, where: string, maxBytes: number): EnvLayout {
  const text = decode(bytes, where, maxBytes);
  const spans: EntrySpan[] = [];
  const vars = new Map<string, string>();
  const duplicates: string[] = [];
  const literal = new Set<string>();
  const lookalikes: Lookalikes = new Map();
  let pos = 0;
  let lineNo = 1;
  while (pos < text.length) {
    const c: Cursor = { text, where, lineNo, pos };
    const line = text.slice(pos, lineEndFrom(text, pos));
    if (isSkipped(c, line)) {
      pos += line.length + 1;
      lineNo++;
      continue;
    }
    const entry = readEntry(c, line);
    spans.push({ name: entry.name, start: pos, end: entry.end });
    collectLookalikes(c, entry, lookalikes);
    if (vars.has(entry.name)) {
      duplicates.push(entry.name);
      vars.delete(entry.name);
    }
    vars.set(entry.name, entry.value);
    if (entry.quote === "'" || entry.quote === "`") literal.add(entry.name);
    else literal.delete(entry.name);
    lineNo += 1 + newlinesBetween(text, pos, entry.end);
    pos = entry.end + 1;
  }
  checkLookalikes(where, lookalikes, vars);
  return { vars, duplicates, literal, text, spans };
}
