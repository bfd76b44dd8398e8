// Results go to stdout (logs and errors go to stderr through log.ts). Writes
// are awaited, so everything is out before run.ts exits. A reader that went
// away (`| head`) is not our failure: Node ignores SIGPIPE, so that shows up
// as EPIPE, which is dropped here.
import { writeSync } from "node:fs";

const isEpipe = (err: unknown): boolean => (err as { code?: string }).code === "EPIPE";

/** Text, or bytes written as they are (a plaintext buffer the caller zeroes afterwards). */
export function writeOut(text: string | Uint8Array): Promise<void> {
  // The stream also emits the error as an event, which would crash the
  // process unheard; the write's callback below is what reports it.
  if (process.stdout.listenerCount("error") === 0) process.stdout.on("error", () => {});
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => {
      if (err && !isEpipe(err)) reject(err);
      else resolve();
    });
  });
}

/** For help and --version, written before anything else could be. */
export function writeOutSync(text: string): void {
  try {
    writeSync(1, text);
  } catch (err) {
    if (!isEpipe(err)) throw err;
  }
}

export function writeJson(value: unknown): Promise<void> {
  return writeOut(JSON.stringify(value, null, 2) + "\n");
}

/** Rows as columns padded to their widest cell, the last column unpadded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}
