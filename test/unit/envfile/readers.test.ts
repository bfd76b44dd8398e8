// The readers users mix with ours (dotenv 18, docker --env-file, Docker
// Compose, python-dotenv), run on the corpus test/fixtures/envfile-readers/
// cases.json. For every case we read exactly dotenv's values or refuse with a
// line number, never a third meaning; expected.json records what each reader
// really does, and the README's "Env file syntax" table is made from it.
// After a reader update or a corpus change, rewrite both and review the diff:
//   UPDATE_READERS=1 npx jest test/unit/envfile/readers.test.ts
// Needs python-dotenv and Go with the oracle's modules (scripts/setup.sh).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as dotenvParse } from "dotenv";
import {
  type Case,
  type Results,
  READERS,
  ROOT,
  ours,
  readAll,
  readmeRows,
  renderTable,
  TABLE_END,
  TABLE_START,
  withTable,
} from "../../support/envfile-readers";

const DIR = path.join(ROOT, "test/fixtures/envfile-readers");
const EXPECTED = path.join(DIR, "expected.json");
const README = path.join(ROOT, "README.md");
const cases = JSON.parse(readFileSync(path.join(DIR, "cases.json"), "utf8")) as Case[];

let live: Results;
beforeAll(() => {
  live = readAll(cases); // the first `go build` of the oracle compiles its modules
  if (process.env.UPDATE_READERS === "1") {
    writeFileSync(EXPECTED, `${JSON.stringify(live, null, 2)}\n`);
    writeFileSync(README, withTable(readFileSync(README, "utf8"), renderTable(cases, live)));
    execFileSync(path.join(ROOT, "node_modules/.bin/prettier"), ["--write", EXPECTED, README]);
  }
}, 180_000);
const expected = (): Results => JSON.parse(readFileSync(EXPECTED, "utf8")) as Results;

describe("the corpus", () => {
  test("names each case once", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });
});

describe.each(cases.map((c) => [c.name, c] as const))("case %s", (_name, c) => {
  test("s3-kms-env reads dotenv's values, or refuses with a line number of the file", () => {
    const mine = ours(c.text);
    if ("refusedLine" in mine) {
      expect(mine.refusedLine).toBeGreaterThanOrEqual(1);
      expect(mine.refusedLine).toBeLessThanOrEqual(c.text.split(/\r\n?|\n/).length);
    } else {
      expect(mine).toEqual({ ...dotenvParse(Buffer.from(c.text)) });
    }
  });

  test("every reader still reads it as expected.json records", () => {
    expect(live[c.name]).toEqual(expected()[c.name]);
  });
});

describe("expected.json", () => {
  test("holds exactly the corpus's cases, each with all five readers", () => {
    const recorded = expected();
    expect(Object.keys(recorded)).toEqual(cases.map((c) => c.name));
    for (const results of Object.values(recorded)) expect(Object.keys(results)).toEqual(READERS);
  });
});

describe("README.md's Env file syntax table", () => {
  test("is what the renderer makes of expected.json", () => {
    const rendered = `${TABLE_START}\n${renderTable(cases, expected())}\n${TABLE_END}`;
    expect(readmeRows(readFileSync(README, "utf8"))).toEqual(readmeRows(rendered));
  });

  test("shows only cases where the five readers do not all agree", () => {
    const recorded = expected();
    const agreed = cases.filter((c) => {
      const outcomes = READERS.map((r) => JSON.stringify(recorded[c.name]?.[r]));
      return c.readme !== undefined && new Set(outcomes).size === 1;
    });
    expect(agreed.map((c) => c.name)).toEqual([]);
  });

  test("says nothing varies", () => {
    const rows = readmeRows(readFileSync(README, "utf8"));
    expect(rows.flat().filter((c) => /varies/.test(c))).toEqual([]);
  });
});
