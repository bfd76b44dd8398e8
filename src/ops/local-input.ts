// A local env file or stdin ("-"), read into memory only: never copied to a
// temp file. Reading stops at the size limit, so a huge input is never held.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { S3KmsEnvError, tooLarge } from "../errors";

export function inputName(path: string): string {
  return path === "-" ? "stdin" : path;
}

async function readLimited(
  chunks: AsyncIterable<Buffer>,
  what: string,
  maxBytes: number,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
    if (size > maxBytes) {
      for (const part of parts) part.fill(0);
      throw tooLarge(`${what} is over`, maxBytes);
    }
  }
  return Buffer.concat(parts, size);
}

async function readFile(
  path: string,
  what: string,
  maxBytes: number,
  regularOnly: boolean,
): Promise<Buffer> {
  // A FIFO opened for reading blocks until a writer comes; with O_NONBLOCK
  // the open returns at once and the file's type can be checked first.
  const { O_RDONLY, O_NONBLOCK, O_NOCTTY } = constants;
  const file = await open(path, regularOnly ? O_RDONLY | O_NONBLOCK | O_NOCTTY : "r");
  try {
    if (regularOnly && !(await file.stat()).isFile()) {
      throw new S3KmsEnvError(
        "CANNOT_READ_FILE",
        `cannot read ${what}: not a regular file (a pipe, device or directory never ends or never starts)`,
      );
    }
    return await readLimited(file.createReadStream({ autoClose: false }), what, maxBytes);
  } finally {
    await file.close();
  }
}

/**
 * The whole file, or stdin for "-", up to maxBytes. Errors call it `what`:
 * its path by default; set passes words of its own, since what follows its
 * "=@" may be a secret typed by mistake rather than a path.
 */
export async function readInput(
  path: string,
  maxBytes: number,
  what: string = inputName(path),
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Buffer> {
  return readChecked(
    () =>
      path === "-"
        ? readLimited(stdin as AsyncIterable<Buffer>, what, maxBytes)
        : readFile(path, what, maxBytes, false),
    what,
  );
}

/**
 * A regular file only, up to maxBytes: exec's file:// sources. A pipe or a
 * device could hold a container start forever, past --timeout and its
 * signals (an open() that waits for a writer cannot be cancelled).
 */
export function readRegularFile(path: string, maxBytes: number, what: string): Promise<Buffer> {
  return readChecked(() => readFile(path, what, maxBytes, true), what);
}

async function readChecked(read: () => Promise<Buffer>, what: string): Promise<Buffer> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof S3KmsEnvError) throw err;
    const code = (err as { code?: string }).code ?? "read error";
    throw new S3KmsEnvError("CANNOT_READ_FILE", `cannot read ${what} (${code})`);
  }
}
