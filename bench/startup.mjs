// `npm run bench`: container start-up cost of s3-kms-env beside Node's floor,
// the classic shell script and optional peers, measured side by side.
//
//   npm run bench [-- --rounds 30 --resident-rounds 3 --schemes https,http]
//   CHAMBER=/path/to/chamber SOPS=/path/to/sops npm run bench
//
// Every row that fetches runs over https (as against real S3: a TLS
// terminator of the bench's own with a private RSA-2048 CA, trusted through
// NODE_EXTRA_CA_CERTS, SSL_CERT_FILE for Go peers, AWS_CA_BUNDLE for the AWS
// CLI) and over plain http for comparison. Rounds are interleaved (every row
// once per round, the order rotating) so drift in the machine's load hits all
// rows alike. Loopback only: a private moto behind a counting proxy.
import os from "node:os";
import { parseArgs } from "node:util";
import { residentTreeKiB, timedRun } from "./measure.mjs";
import { benchRows } from "./rows.mjs";
import { startBench } from "./setup.mjs";
import { median, mib, table } from "./stats.mjs";

const { values: options } = parseArgs({
  options: {
    rounds: { type: "string", default: "30" },
    "resident-rounds": { type: "string", default: "3" },
    schemes: { type: "string", default: "https,http" },
  },
});
const SCHEMES = options.schemes.split(",");
const ROUNDS = Number(options.rounds);
const RESIDENT_ROUNDS = Number(options["resident-rounds"]);
const TRUE_APP = ["/bin/true"];
// Long enough to be caught running; the measurement kills it.
const SLEEP_APP = ["/bin/sleep", "30"];

function rowEnv(ctx, row) {
  return { ...ctx.env, ...row.env };
}

/** One run of a row; a failing run would measure an error path, so it stops the benchmark. */
async function runRow(ctx, row) {
  const before = ctx.requestCount();
  const run = await timedRun(row.argv(TRUE_APP), rowEnv(ctx, row));
  if (run.code !== 0) throw new Error(`${row.name} exited ${run.code}:\n${run.stderr}`);
  return { ...run, requests: ctx.requestCount() - before };
}

async function timeRows(ctx, rows) {
  const samples = new Map(rows.map((row) => [row, []]));
  // One round first that is not counted: it fills the page cache and proves every row works.
  for (const row of rows) await runRow(ctx, row);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[(i + round) % rows.length];
      samples.get(row).push(await runRow(ctx, row));
    }
  }
  return samples;
}

/** RSS (KiB) that stays in memory beside the app, over a bare `sleep`. */
async function residentOverhead(ctx, rows) {
  const measure = async (argv, env) => {
    const kib = [];
    for (let i = 0; i < RESIDENT_ROUNDS; i++) kib.push(await residentTreeKiB(argv, env));
    return median(kib);
  };
  const bare = await measure(SLEEP_APP, ctx.env);
  const added = new Map();
  for (const row of rows.filter((r) => r.fetches && r.launchesApp !== false)) {
    added.set(row, Math.max(0, (await measure(row.argv(SLEEP_APP), rowEnv(ctx, row))) - bare));
  }
  return added;
}

// Issue 16's budgets for our own rows, as ratios of the same run's `node -e 0` medians.
const BUDGETS = { wall: 2.0, rss: 1.3, cpu: 2.0 };

/** Medians of a row's runs, and their ratios to the floor's. */
function figures(runs, floor) {
  const ms = median(runs.map((s) => s.ms));
  const rss = median(runs.map((s) => s.maxRssKiB));
  const cpu = median(runs.map((s) => s.cpuMs));
  return {
    ms,
    rss,
    cpu,
    ratio: floor && { wall: ms / floor.ms, rss: rss / floor.rss, cpu: cpu / floor.cpu },
  };
}

function report(rows, samples, resident) {
  const floorRow = rows.find((r) => r.name.startsWith("node -e 0"));
  const floor = figures(samples.get(floorRow));
  const lines = rows.map((row) => {
    const runs = samples.get(row);
    const ms = runs.map((s) => s.ms);
    const { rss, cpu, ratio } = figures(runs, floor);
    const requests = runs.map((s) => s.requests);
    const sameRequests = requests.every((n) => n === requests[0]);
    return [
      row.name,
      row.scheme ?? "—",
      median(ms).toFixed(1),
      `${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}`,
      `${ratio.wall.toFixed(2)}×`,
      `${mib(rss)} (${ratio.rss.toFixed(2)}×)`,
      `${cpu.toFixed(1)} (${ratio.cpu.toFixed(2)}×)`,
      !row.fetches
        ? "—"
        : sameRequests
          ? String(requests[0])
          : `${Math.min(...requests)}–${Math.max(...requests)}`,
      resident.has(row) ? mib(resident.get(row)) : "—",
    ];
  });
  const header = [
    "command",
    "scheme",
    "median ms",
    "min–max ms",
    "× node -e 0",
    "peak RSS MiB",
    "CPU ms",
    "requests/start",
    "resident MiB beside app",
  ];
  return table(header, lines);
}

/** One line per own row and scheme: its ratios against the budgets. */
function budgets(rows, samples) {
  const floor = figures(samples.get(rows.find((r) => r.name.startsWith("node -e 0"))));
  return rows
    .filter((row) => row.id === "bundle" || row.id === "binary")
    .map((row) => {
      const { ratio } = figures(samples.get(row), floor);
      const checks = Object.entries(BUDGETS).map(([what, limit]) => {
        const ok = ratio[what] <= limit ? "ok" : "OVER";
        return `${what} ${ratio[what].toFixed(2)}× (≤ ${limit.toFixed(1)}× ${ok})`;
      });
      return `budget ${row.id} ${row.scheme}: ${checks.join(", ")}`;
    })
    .join("\n");
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const gib = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${os.availableParallelism()} × ${cpu}, ${gib} GiB, Linux ${os.release()}, Node ${process.versions.node}`;
}

async function main() {
  const ctx = await startBench();
  try {
    const all = benchRows(ctx, SCHEMES);
    // A peer's set-up (its own copy of the env file) serves both schemes.
    const prepares = new Set(all.filter((r) => !r.skip && r.prepare).map((r) => r.prepare));
    for (const prepare of prepares) await prepare();
    const rows = all.filter((r) => !r.skip);
    const samples = await timeRows(ctx, rows);
    const resident = await residentOverhead(ctx, rows);
    console.log(`${ROUNDS} interleaved rounds; app = /bin/true; ${machine()}\n`);
    console.log(report(rows, samples, resident));
    console.log(`\n${budgets(rows, samples)}`);
    console.log(
      `\npeak RSS: ru_maxrss of the largest single process; CPU: user + sys of the start, ` +
        `its helper threads and the children it waited for (${ctx.cpuSource}); requests/start: ` +
        "HTTP requests through the counting proxy per start (S3 and KMS); resident: RSS of " +
        "the process tree while the app (`sleep`) runs, minus a bare `sleep`'s. https: a TLS " +
        "terminator on 127.0.0.1 (private RSA-2048 root, trusted through NODE_EXTRA_CA_CERTS; " +
        "SSL_CERT_FILE for Go peers, AWS_CA_BUNDLE for the AWS CLI) in front of the counting proxy.",
    );
    const skipped = new Map(all.filter((r) => r.skip).map((r) => [r.name, r.skip]));
    for (const [name, why] of skipped) console.log(`skipped ${name}: ${why}`);
  } finally {
    await ctx.close();
  }
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exitCode = 1;
});
