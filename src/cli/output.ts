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
