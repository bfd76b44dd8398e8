// Running one command and reading what it cost: wall time, the peak RSS of
// its largest process, its CPU time, and the memory its process tree holds
// while the app runs.
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// wait4()'s rusage (ru_maxrss, ru_utime, ru_stime), which Node's child_process
// does not expose: bench/rusage.c, compiled with `cc` by useRusageHelper(), in
// microseconds; without a compiler, GNU time, whose CPU times are hundredths
// of a second.
const TIME = "/usr/bin/time";
const RUSAGE_MARK = "@@rusage=";
let rusageCommand = [TIME, "-f", `${RUSAGE_MARK}%M %U %S`, "--"];
let cpuUnitMs = 1000; // GNU time: seconds
// Every run is bounded; a hung command fails the benchmark instead of stalling it.
const RUN_TIMEOUT_MS = 60_000;
const APP_START_TIMEOUT_MS = 20_000;
const POLL_MS = 5;
// Lets a wrapper that stays resident (spawn mode, peers) finish its own start
// before its memory is read.
const SETTLE_MS = 300;

function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * Compiles bench/rusage.c into `dir` so that CPU times come in microseconds.
 * @returns {string} which measures CPU time, for the report.
 */
export function useRusageHelper(dir) {
  const out = path.join(dir, "rusage");
  try {
    execFileSync("cc", ["-O2", "-o", out, new URL("rusage.c", import.meta.url).pathname], {
      stdio: "ignore",
    });
  } catch {
    return "GNU time (no cc here: CPU times in hundredths of a second)";
  }
  rusageCommand = [out];
  cpuUnitMs = 0.001; // microseconds
  return "wait4() rusage (bench/rusage.c)";
}

/**
 * Runs argv to completion in its own process group.
 * @returns {Promise<{ ms: number, code: number | null, stderr: string, maxRssKiB?: number,
 *   cpuMs?: number }>} ms from spawn() to exit as seen from here; maxRssKiB (the largest
 *   single process) and cpuMs (user + sys of the command and the children it waited for)
 *   only with `rss`.
 */
export function timedRun(argv, env, { rss = true, timeoutMs = RUN_TIMEOUT_MS } = {}) {
  const command = rss ? [...rusageCommand, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let end = start;
    const child = spawn(command[0], command.slice(1), {
      env,
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", () => (end = process.hrtime.bigint()));
    child.once("close", (code) => {
      clearTimeout(timer);
      const mark = stderr.lastIndexOf(RUSAGE_MARK);
      const [maxRssKiB, user, sys] = stderr
        .slice(mark + RUSAGE_MARK.length)
        .trim()
        .split(" ")
        .map(Number);
      resolve({
        ms: Number(end - start) / 1e6,
        code,
        stderr: mark === -1 ? stderr : stderr.slice(0, mark),
        ...(mark === -1 ? {} : { maxRssKiB, cpuMs: (user + sys) * cpuUnitMs }),
      });
    });
  });
}

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return ""; // exited between listing and reading
  }
}

function threads(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** pid and all its descendants, from /proc/PID/task/TID/children. */
function processTree(pid) {
  const children = threads(pid).flatMap((tid) =>
    readProc(pid, `task/${tid}/children`).split(" ").filter(Boolean).map(Number),
  );
  return [pid, ...children.flatMap(processTree)];
}

function rssKiB(pid) {
  const line = /^VmRSS:\s+(\d+) kB/m.exec(readProc(pid, "status"));
  return line ? Number(line[1]) : 0;
}

/**
 * Starts argv, whose app is a long `sleep`, waits until that sleep runs, and
 * returns the RSS (KiB) of the whole process tree then: the app plus whatever
 * stayed resident in front of it.
 */
export async function residentTreeKiB(argv, env, appName = "sleep") {
  const child = spawn(argv[0], argv.slice(1), { env, stdio: "ignore", detached: true });
  const exited = new Promise((resolve) => child.once("close", resolve));
  try {
    const deadline = Date.now() + APP_START_TIMEOUT_MS;
    while (!processTree(child.pid).some((pid) => readProc(pid, "comm").trim() === appName)) {
      if (child.exitCode !== null) throw new Error(`${argv.join(" ")} exited before its app ran`);
      if (Date.now() > deadline) throw new Error(`${argv.join(" ")}: the app did not start`);
      await sleep(POLL_MS);
    }
    await sleep(SETTLE_MS);
    return processTree(child.pid).reduce((sum, pid) => sum + rssKiB(pid), 0);
  } finally {
    killGroup(child);
    await exited;
  }
}
