// `npm run bench:fleet`: N container starts at once (N = 1, 10, 100, 1000)
// against one local S3, to show how the cost of a start grows with the fleet:
// start-to-exec time per wrapper, CPU time per start and S3 requests per
// start, over https (as against real S3) and plain http.
//
//   npm run bench:fleet [-- --sizes 1,10,100,1000 --max-live 150 --targets bundle,binary
//                          --schemes https,http]
//
// One machine cannot hold 1000 Node processes at once (~35 MiB private each):
// at most --max-live run at the same time (by default what half the free
// memory holds), the rest start as soon as one ends. Loopback only.
import os from "node:os";
import { parseArgs } from "node:util";
import { timedRun } from "./measure.mjs";
import { ownRows, perScheme } from "./rows.mjs";
import { startBench } from "./setup.mjs";
import { percentile, pool, table } from "./stats.mjs";

// Generous per-process peak for the memory bound, shared pages included.
const PER_START_BYTES = 80 * 2 ** 20;
// Under heavy overload a start is slow, not stuck; past this it is killed and counted as failed.
const RUN_TIMEOUT_MS = 120_000;

const { values: options } = parseArgs({
  options: {
    sizes: { type: "string", default: "1,10,100,1000" },
    "max-live": {
      type: "string",
      default: String(Math.max(1, Math.floor((os.freemem() * 0.5) / PER_START_BYTES))),
    },
    targets: { type: "string", default: "binary,bundle" },
    schemes: { type: "string", default: "https,http" },
  },
});
const SCHEMES = options.schemes.split(",");
const SIZES = options.sizes.split(",").map(Number);
const MAX_LIVE = Number(options["max-live"]);
const TARGETS = options.targets.split(",");

async function batch(ctx, row, n) {
  const before = ctx.requestCount();
  const started = performance.now();
  const runs = await pool(n, MAX_LIVE, () =>
    timedRun(row.argv(["/bin/true"]), { ...ctx.env, ...row.env }, { timeoutMs: RUN_TIMEOUT_MS }),
  );
  const makespan = (performance.now() - started) / 1000;
  for (const [line, count] of failures(runs)) {
    console.error(`N=${n} ${row.id} ${row.scheme}: ${count} × ${line}`);
  }
  const all = runs.map((r) => r.ms);
  return [
    String(n),
    row.id,
    row.scheme,
    String(Math.min(n, MAX_LIVE)),
    percentile(all, 50).toFixed(0),
    percentile(all, 99).toFixed(0),
    makespan.toFixed(1),
    (n / makespan).toFixed(0),
    percentile(
      runs.map((r) => r.cpuMs),
      50,
    ).toFixed(1),
    ((ctx.requestCount() - before) / n).toFixed(2),
    String(runs.filter((r) => r.code !== 0).length),
  ];
}

/** Each distinct error line of the failed starts, with how many starts printed it. */
function failures(runs) {
  const counts = new Map();
  for (const run of runs.filter((r) => r.code !== 0)) {
    // The object's URI and the timing vary per start; the rest names the failure.
    const line = (run.stderr.trim().split("\n").at(-1) || `exit ${run.code}`).replace(
      /s3:\/\/\S+/g,
      "s3://…",
    );
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return counts;
}

async function main() {
  const ctx = await startBench();
  try {
    const rows = perScheme(
      ctx,
      ownRows(ctx).filter((r) => TARGETS.includes(r.id)),
      SCHEMES,
    );
    for (const row of rows.filter((r) => r.skip)) console.log(`skipped ${row.name}: ${row.skip}`);
    const runnable = rows.filter((r) => !r.skip);
    // One start each first, outside the numbers: page cache, and proof that it works.
    for (const row of runnable) {
      const run = await timedRun(row.argv(["/bin/true"]), { ...ctx.env, ...row.env });
      if (run.code !== 0) throw new Error(`${row.name} exited ${run.code}:\n${run.stderr}`);
    }
    const lines = [];
    for (const n of SIZES) for (const row of runnable) lines.push(await batch(ctx, row, n));
    const cpu = `${os.availableParallelism()} × ${os.cpus()[0]?.model ?? "CPU"}`;
    console.log(`app = /bin/true; at most ${MAX_LIVE} starts live at once; ${cpu}\n`);
    const header = [
      "N",
      "target",
      "scheme",
      "live",
      "p50 ms",
      "p99 ms",
      "all done s",
      "starts/s",
      "CPU ms/start",
      "requests/start",
      "failed",
    ];
    console.log(table(header, lines));
    console.log(
      "\nms: one wrapper's spawn to its app's exit (/bin/true exits at once, so: start-to-exec). " +
        `CPU ms/start: median user + sys of one start, helper threads included (${ctx.cpuSource}). ` +
        "requests/start: HTTP requests through the counting proxy per start. https: the " +
        "bench's TLS terminator, its private root CA in NODE_EXTRA_CA_CERTS.",
    );
  } finally {
    await ctx.close();
  }
}

main().catch((error) => {
  console.error(`bench:fleet: ${error.stack ?? error}`);
  process.exitCode = 1;
});
