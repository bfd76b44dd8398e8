// Results go to stdout (logs and errors go to stderr through log.ts). Writes
// are awaited, so everything is out before run.ts exits.
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => {
      // A reader that went away (`| head`) is not our failure.
      if (err && (err as { code?: string }).code !== "EPIPE") reject(err);
      else resolve();
    });
  });
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
