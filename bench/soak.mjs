// `npm run soak`: many container starts against an S3 that throttles, to
// check that the retries (bounded by --timeout) get a whole fleet started.
// Not a test: it takes minutes and its numbers depend on the machine.
//
//   npm run soak -- [--starts 1000] [--concurrency 20] [--slowdown 30] [--timeout 10s]
//
// moto on 127.0.0.1 behind the tests' fault proxy, which answers --slowdown
// percent of the GETs (picked at random) with S3's real 503 SlowDown. Each
// start is the bundle on Node 24 running /bin/true; it succeeds if it exits 0.
import { parseArgs } from "node:util";
import { timedRun } from "./measure.mjs";
import { BUNDLE, NODE, startBench } from "./setup.mjs";
import { percentile, pool, table } from "./stats.mjs";
import { s3SlowDown } from "../test/support/fault-proxy.ts";

// A start that hangs is a failure, not a stalled soak.
const RUN_TIMEOUT_MS = 120_000;

const { values: options } = parseArgs({
  options: {
    starts: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "20" },
    slowdown: { type: "string", default: "30" },
    timeout: { type: "string", default: "10s" },
  },
});
const STARTS = Number(options.starts);
const CONCURRENCY = Number(options.concurrency);
const SLOWDOWN = Number(options.slowdown);
if (![STARTS, CONCURRENCY].every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error("--starts and --concurrency must be positive integers");
}
if (!(SLOWDOWN >= 0 && SLOWDOWN <= 100)) throw new Error("--slowdown must be 0…100 (percent)");

/** "THROTTLED ×3, TIMEOUT ×1" from the failed starts' error lines. */
function failureCodes(runs) {
  const counts = new Map();
  for (const run of runs) {
    const code = /\(code=([A-Z_]+)\)/.exec(run.stderr)?.[1] ?? `exit ${run.code}`;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].map(([code, n]) => `${code} ×${n}`).join(", ") || "-";
}

async function main() {
  const ctx = await startBench();
  try {
    const argv = [
      NODE,
      BUNDLE,
      "exec",
      "--kms-key-id",
      ctx.keyArn,
      "--timeout",
      options.timeout,
      ctx.uri,
      "--",
      "/bin/true",
    ];
    const warm = await timedRun(argv, ctx.env, { rss: false });
    if (warm.code !== 0) throw new Error(`a start without faults failed:\n${warm.stderr}`);
    ctx.proxy.addRule({
      match: { service: "s3", method: "GET" },
      fraction: SLOWDOWN / 100,
      respond: s3SlowDown(),
    });
    const before = ctx.requestCount();
    const started = performance.now();
    const runs = await pool(STARTS, CONCURRENCY, () =>
      timedRun(argv, ctx.env, { rss: false, timeoutMs: RUN_TIMEOUT_MS }),
    );
    const seconds = (performance.now() - started) / 1000;
    const failed = runs.filter((r) => r.code !== 0);
    const ms = runs.map((r) => r.ms);
    console.log(
      `${STARTS} starts, ${CONCURRENCY} at a time, ${SLOWDOWN}% of GETs answered 503 SlowDown, ` +
        `--timeout ${options.timeout}, ${seconds.toFixed(0)} s in all`,
    );
    console.log(
      table(
        ["successes", "failures", "failure codes", "p50 ms", "p99 ms", "max ms", "requests/start"],
        [
          [
            String(STARTS - failed.length),
            String(failed.length),
            failureCodes(failed),
            percentile(ms, 50).toFixed(0),
            percentile(ms, 99).toFixed(0),
            Math.max(...ms).toFixed(0),
            ((ctx.requestCount() - before) / STARTS).toFixed(2),
          ],
        ],
      ),
    );
    process.exitCode = failed.length === 0 ? 0 : 1;
  } finally {
    await ctx.close();
  }
}

await main();
