// file:///path sources: a sealed env file on local disk (baked into an
// image, mounted from a volume, checked out of git). Only sealed files are
// accepted (sources.ts): a plain local file has no key to trust, so nothing
// would show who wrote it.
import { S3KmsEnvError } from "../errors";

export interface FileLocation {
  /** The absolute path. */
  readonly path: string;
  /** The URI as the user wrote it, for messages and logs. */
  readonly uri: string;
}

export function isFileUri(uri: string): boolean {
  return uri.startsWith("file:");
}

/** file:///absolute/path (or file://localhost/…), %-escapes decoded; no query or fragment. */
export function parseFileUri(uri: string): FileLocation {
  let path: string;
  if (/[?#]/.test(uri)) {
    throw new S3KmsEnvError(
      "BAD_URI",
      `invalid source ${JSON.stringify(uri)}: a file:// source takes no ?query or #fragment (write a literal ? or # as %3F or %23)`,
    );
  }
  try {
    // Loaded here, not at the top: a start without a file:// source never needs node:url.
    path = process.getBuiltinModule("node:url").fileURLToPath(uri);
  } catch {
    throw new S3KmsEnvError(
      "BAD_URI",
      `invalid source ${JSON.stringify(uri)}: expected file:///absolute/path`,
    );
  }
  return { path, uri };
}

/** The whole file, up to maxBytes; read only when such a source is given. */
export async function readFileSource(loc: FileLocation, maxBytes: number): Promise<Buffer> {
  const { readRegularFile } = await import("../ops/local-input");
  return readRegularFile(loc.path, maxBytes, loc.uri);
}
