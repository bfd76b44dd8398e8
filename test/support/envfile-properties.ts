// The properties of the env-file parser and serializer, shared by the jest
// property tests (a bounded number of runs) and scripts/fuzz-parse.mjs (runs
// for a given time). Each check returns which way the input went and throws
// on a violation.
import { deepStrictEqual, fail, match } from "node:assert/strict";
import { parse as dotenvParse } from "dotenv";
import fc from "fast-check";
import { expandLayers } from "../../src/envfile/expand";
import { parseEnvFile } from "../../src/envfile/parse";
import { serializeEnv } from "../../src/envfile/serialize";
import { S3KmsEnvError } from "../../src/errors";

const WHERE = "f.env";
const MAX = 1024 * 1024;

// What dotenv, editors or shells treat specially, and the characters that
// look like line ends or white space to some reader but not to others.
const SPECIALS = [
  ..."'\"`#$\\={}= \t\n\r",
  "\r\n",
  "\u2028",
  "\u2029",
  "\u0000",
  "\uFEFF",
  "\u00A0",
  "\u000B",
  "\u000C",
  "\u0085",
  "\u3000",
  "\\n",
  "\\r",
  "\\'",
  '\\"',
  "${A}",
  "$A",
  "\\$",
  " #",
  "export ",
  "A=",
  "\nB=",
  "\nA=",
];

/** Any Unicode (astral included, lone surrogates excluded: they are not UTF-8), weighted towards SPECIALS. */
export const chunk = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom("a", "x1", "p@ss", "😀", "é") },
);

export const text = fc.array(chunk, { maxLength: 24 }).map((parts) => parts.join(""));

const name = fc.constantFrom("A", "B", "_x", "export", "Name_1");
const quote = fc.constantFrom("", "'", '"', "`");
const lineEnd = fc.constantFrom("\n", "\r\n", "\r", "");

/** NAME=value lines with optional export, spacing, quotes and comments, around arbitrary text. */
export const envFile = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.boolean(),
          name,
          fc.constantFrom("=", " = ", "=\t"),
          quote,
          text,
          quote,
          fc.option(text),
          lineEnd,
        )
        .map(
          ([exp, n, eq, q1, value, q2, comment, end]) =>
            `${exp ? "export " : ""}${n}${eq}${q1}${value}${q2}${comment === null ? "" : ` #${comment}`}${end}`,
        ),
      text.map((t) => `${t}\n`),
      fc.constantFrom("# comment\n", "\n", "  \n"),
    ),
    { maxLength: 6 },
  )
  .map((lines) => lines.join(""));

const REFUSAL = /^f\.env: line \d+: [^\n]+$/;

function refusal(err: unknown): "refused" {
  if (!(err instanceof S3KmsEnvError)) throw err;
  if (err.code === "NUL_BYTE" || err.code === "NOT_UTF8") return "refused";
  deepStrictEqual(err.code, "PARSE");
  match(err.message, REFUSAL);
  return "refused";
}

/**
 * (a) A file is refused with a line number, or read exactly as dotenv's own
 * parse() reads the whole file: never a third meaning.
 */
export function checkParse(file: string): "accepted" | "refused" {
  let vars: ReadonlyMap<string, string>;
  try {
    vars = parseEnvFile(Buffer.from(file), WHERE, MAX).vars;
  } catch (err) {
    return refusal(err);
  }
  const withoutBom = file.startsWith("\uFEFF") ? file.slice(1) : file;
  deepStrictEqual({ ...dotenvParse(withoutBom) }, Object.fromEntries(vars));
  return "accepted";
}

export const values = fc.dictionary(
  fc.constantFrom("A", "B", "C", "D_1"),
  fc.oneof(text, fc.string({ unit: "binary", maxLength: 12 })),
  { maxKeys: 4 },
);

/**
 * (b) What the serializer writes reads back identically with parseEnvFile,
 * with exec --expand under either precedence, and with dotenv's parse().
 */
export function checkSerialize(record: Record<string, string>): "written" | "refused" {
  const vars = new Map(Object.entries(record));
  let written: string;
  try {
    written = serializeEnv(vars);
  } catch (err) {
    if (!(err instanceof S3KmsEnvError) || err.code !== "NOT_REPRESENTABLE") throw err;
    return "refused";
  }
  let layer;
  try {
    layer = { source: WHERE, ...parseEnvFile(Buffer.from(written), WHERE, MAX) };
  } catch (err) {
    fail(`the parser refused what the serializer wrote: ${String(err)}`);
  }
  deepStrictEqual(layer.vars, vars);
  // Inherited values that a stray $ reference would pick up, so it shows.
  const inherited = { A: "<inherited A>", B: "<inherited B>", C: "<inherited C>" };
  for (const precedence of ["file", "env"] as const) {
    const expanded: ReadonlyMap<string, string> | undefined = expandLayers(
      [layer],
      inherited,
      precedence,
      MAX,
    )[0]?.vars;
    deepStrictEqual(expanded, vars);
  }
  deepStrictEqual({ ...dotenvParse(written) }, { ...record });
  return "written";
}
