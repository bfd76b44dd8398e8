// A local env file or stdin ("-"), read into memory only: never copied to a
// temp file. Reading stops at the size limit, so a huge input is never held.
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

async function readFile(path: string, what: string, maxBytes: number): Promise<Buffer> {
  const file = await open(path, "r");
  try {
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
  try {
    return path === "-"
      ? await readLimited(stdin as AsyncIterable<Buffer>, what, maxBytes)
      : await readFile(path, what, maxBytes);
  } catch (err) {
    if (err instanceof S3KmsEnvError) throw err;
    const code = (err as { code?: string }).code ?? "read error";
    throw new S3KmsEnvError("CANNOT_READ_FILE", `cannot read ${what} (${code})`);
  }
}
