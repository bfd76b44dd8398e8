// The five env-file readers of test/unit/envfile/readers.test.ts, each run on
// the exact bytes of a case, and the README table made from their results.
// dotenv and ours run in-process; python-dotenv and the Go oracle
// (test/oracles/envfile: docker's and Compose's own parsers) run once each
// for all cases, reading every case from a file as the real tools do.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as dotenvParse } from "dotenv";
import { parseEnvFile } from "../../src/envfile/parse";
import { S3KmsEnvError } from "../../src/errors";

export interface Case {
  readonly name: string;
  /** The exact file text. */
  readonly text: string;
  /** A row in the README table: true shows the text, a string is the row's label. */
  readonly readme?: true | string;
}

/** Names to values (null: python-dotenv's None for a bare NAME), "refused" (ours) or "error". */
export type Outcome = Record<string, string | null> | "refused" | "error";

export const READERS = ["s3-kms-env", "dotenv", "docker", "compose", "python-dotenv"] as const;
export type Reader = (typeof READERS)[number];
export type Results = Record<string, Record<Reader, Outcome>>;

export const ROOT = path.resolve(__dirname, "../..");
const ORACLES = path.join(ROOT, "test/oracles/envfile");

/** A refusal of ours: its PARSE error's line number (the message never holds a value). */
export function ours(text: string): Record<string, string> | { refusedLine: number } {
  try {
    return Object.fromEntries(parseEnvFile(Buffer.from(text), "f.env", 1024 * 1024).vars);
  } catch (err) {
    const line = /^f\.env: line (\d+): /.exec((err as S3KmsEnvError).message)?.[1];
    if (!(err instanceof S3KmsEnvError) || err.code !== "PARSE" || line === undefined) throw err;
    return { refusedLine: Number(line) };
  }
}

/** Pairs in file order → one value per name, the last winning (as docker's daemon merges them). */
const lastWins = (pairs: [string, string | null][]): Record<string, string | null> =>
  Object.fromEntries(pairs);

interface OracleResult {
  vars?: [string, string][];
  error?: string;
}

/** docker's and Compose's readings, from the Go oracle built into a temp dir (Go's cache makes rebuilds cheap). */
function goReaders(cases: readonly Case[]): Record<string, { docker: Outcome; compose: Outcome }> {
  const dir = mkdtempSync(path.join(tmpdir(), "envfile-oracle-"));
  try {
    const bin = path.join(dir, "oracle");
    // GOPROXY=off: the modules come from scripts/setup.sh's `go mod download`, never the network.
    execFileSync("go", ["build", "-mod=readonly", "-o", bin, "."], {
      cwd: ORACLES,
      env: { ...process.env, GOPROXY: "off", GOFLAGS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const input = JSON.stringify(Object.fromEntries(cases.map((c) => [c.name, c.text])));
    const out = JSON.parse(execFileSync(bin, { input, encoding: "utf8" })) as Record<
      string,
      { docker: OracleResult; compose: OracleResult }
    >;
    const outcome = (r: OracleResult): Outcome =>
      r.error !== undefined ? "error" : lastWins(r.vars ?? []);
    return Object.fromEntries(
      Object.entries(out).map(([name, r]) => [
        name,
        { docker: outcome(r.docker), compose: outcome(r.compose) },
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** python-dotenv's dotenv_values(path), in the Python the tests' pip packages are installed for. */
function pythonDotenv(cases: readonly Case[]): Record<string, Outcome> {
  const input = JSON.stringify(Object.fromEntries(cases.map((c) => [c.name, c.text])));
  const out = JSON.parse(
    execFileSync(process.env.MOTO_PYTHON ?? "python3", [path.join(ORACLES, "python_dotenv.py")], {
      input,
      encoding: "utf8",
      // Nothing inherited: python-dotenv would expand ${NAME} from the environment.
      env: { PATH: process.env.PATH },
    }),
  ) as Record<string, { vars: [string, string | null][] }>;
  return Object.fromEntries(Object.entries(out).map(([name, r]) => [name, lastWins(r.vars)]));
}

/** Every case through all five readers. */
export function readAll(cases: readonly Case[]): Results {
  const go = goReaders(cases);
  const py = pythonDotenv(cases);
  return Object.fromEntries(
    cases.map((c) => {
      const mine = ours(c.text);
      return [
        c.name,
        {
          "s3-kms-env": "refusedLine" in mine ? "refused" : mine,
          dotenv: { ...dotenvParse(Buffer.from(c.text)) },
          docker: go[c.name]?.docker ?? "error",
          compose: go[c.name]?.compose ?? "error",
          "python-dotenv": py[c.name] ?? "error",
        },
      ];
    }),
  );
}

// ---- The README table ----

export const TABLE_START =
  "<!-- envfile-readers table: generated from test/fixtures/envfile-readers/expected.json -->";
export const TABLE_END = "<!-- envfile-readers table end -->";
const HEADER = [
  "Line",
  "s3-kms-env",
  "dotenv 18",
  "docker `--env-file`",
  "Compose",
  "python-dotenv",
];

/** Characters a code span would hide, shown as a symbol outside it. */
const INVISIBLE: Record<string, string> = {
  "\n": "⏎",
  "\r": "␍",
  "\t": "⇥",
  "\u000b": "␋",
  "\u000c": "␌",
  "\u00a0": "⍽",
  "\u2028": "␤",
  "\u2029": "¶",
  "\u3000": "␣",
  "\ufeff": "BOM ",
};
const INVISIBLE_RE = new RegExp(`([${Object.keys(INVISIBLE).join("")}])`, "u");

/** One code span, with as many backticks as it needs, safe inside a table cell. */
function codeSpan(s: string): string {
  const runs = s.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith("`") || s.endsWith("`") || (s.startsWith(" ") && s.endsWith(" "));
  const body = pad ? ` ${s} ` : s;
  return `${fence}${body}${fence}`.replace(/\|/g, "\\|");
}

/** Text as code spans, with line ends and invisible characters as symbols between them. */
export function show(s: string): string {
  return s
    .split(INVISIBLE_RE)
    .map((part, i) => (i % 2 === 1 ? (INVISIBLE[part] ?? part) : part === "" ? "" : codeSpan(part)))
    .join("");
}

/** A table cell: a word, the value of the case's only name A, or the names and values read, by name. */
export function cell(outcome: Outcome): string {
  if (typeof outcome === "string") return outcome;
  const entries = Object.entries(outcome);
  if (entries.length === 0) return "skipped";
  const [first] = entries;
  if (entries.length === 1 && first?.[0] === "A" && first[1] !== null) {
    return first[1] === "" ? "empty" : show(first[1]);
  }
  return entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) =>
      value === null
        ? `${show(name)} (None)`
        : `${show(`${name}=${value}`)}${name === "" ? " (empty name)" : ""}`,
    )
    .join(", ");
}

export function tableRows(cases: readonly Case[], expected: Results): string[][] {
  return cases.flatMap((c) => {
    if (c.readme === undefined) return [];
    const results = expected[c.name];
    if (results === undefined) throw new Error(`expected.json has no case ${c.name}`);
    const label = c.readme === true ? show(c.text) : c.readme;
    return [[label, ...READERS.map((r) => cell(results[r]))]];
  });
}

/** The table as markdown (prettier aligns it). */
export function renderTable(cases: readonly Case[], expected: Results): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [
    line(HEADER),
    line(HEADER.map(() => "---")),
    ...tableRows(cases, expected).map(line),
  ].join("\n");
}

/** The README's table between the markers, as rows of trimmed cells (alignment ignored). */
export function readmeRows(readme: string): string[][] {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start)
    throw new Error("README.md has no envfile-readers table markers");
  return readme
    .slice(start + TABLE_START.length, end)
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    )
    .filter((cells) => !cells.every((c) => /^:?-+:?$/.test(c)));
}

/** The README with the table between the markers replaced. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start)
    throw new Error("README.md has no envfile-readers table markers");
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
