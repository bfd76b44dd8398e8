// Runs the env-file properties (test/support/envfile-properties.ts) for a
// given time instead of jest's bounded number of runs, and prints how many
// inputs each property saw and how they went. Not part of `npm test`.
//   npm run fuzz -- [--seconds N] [--seed S]
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./dist-layout.mjs";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, seed: { type: "string" } },
});
const seconds = Number(values.seconds);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);

const dir = mkdtempSync(join(tmpdir(), "fuzz-parse-"));
const bundle = join(dir, "properties.cjs");
try {
  await build({
    entryPoints: [join(ROOT, "test/support/envfile-properties.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    outfile: bundle,
    logLevel: "warning",
  });
  const { default: p } = await import(bundle);
  const fc = (await import("fast-check")).default;
  const properties = [
    ["NAME=value files vs dotenv", p.envFile, p.checkParse],
    ["arbitrary text vs dotenv", p.text, p.checkParse],
    ["serializer round trip (+ --expand, dotenv)", p.values, p.checkSerialize],
  ];
  console.log(`seed ${seed}, ${seconds} s per property`);
  let failed = false;
  for (const [title, arbitrary, check] of properties) {
    const counts = {};
    const details = fc.check(
      fc.property(arbitrary, (input) => {
        const outcome = check(input);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }),
      { seed, interruptAfterTimeLimit: seconds * 1000, numRuns: Number.MAX_SAFE_INTEGER },
    );
    console.log(`${title}: ${details.numRuns} inputs ${JSON.stringify(counts)}`);
    if (details.failed) {
      failed = true;
      console.log(
        `  FAILED: ${JSON.stringify(details.counterexample)}\n  ${details.errorInstance}`,
      );
    }
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
