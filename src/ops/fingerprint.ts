// What ops commands show instead of a value: its length, and a fingerprint
// only when the team has set a fingerprint key. An unkeyed hash of a short
// value (a PIN, a dictionary word) is reversed by trying every candidate, so
// the fingerprint is an HMAC under a secret that is not in the output.
import { createHmac } from "node:crypto";
import { usageError } from "../errors";

export const FINGERPRINT_KEY_ENV = "S3_KMS_ENV_FINGERPRINT_KEY";
const MIN_KEY_LENGTH = 16;

export interface NameInfo {
  readonly name: string;
  /** UTF-8 bytes of the value. */
  readonly bytes: number;
  /** First 8 hex digits of HMAC-SHA256(key, name NUL value); absent without a key. */
  readonly fingerprint?: string;
}

export type Fingerprinter = (name: string, value: string) => string;

/** From S3_KMS_ENV_FINGERPRINT_KEY, or undefined when it is not set. */
export function fingerprinterFrom(key: string | undefined): Fingerprinter | undefined {
  if (key === undefined || key === "") return undefined;
  if (key.length < MIN_KEY_LENGTH) {
    throw usageError(
      `${FINGERPRINT_KEY_ENV} must be at least ${MIN_KEY_LENGTH} characters (a random secret shared by the team)`,
    );
  }
  return (name, value) =>
    createHmac("sha256", key).update(`${name}\0${value}`).digest("hex").slice(0, 8);
}

export function describeVars(
  vars: ReadonlyMap<string, string>,
  fingerprint: Fingerprinter | undefined,
): NameInfo[] {
  return [...vars].map(([name, value]) => ({
    name,
    bytes: Buffer.byteLength(value),
    ...(fingerprint ? { fingerprint: fingerprint(name, value) } : {}),
  }));
}
