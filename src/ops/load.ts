// Read one env object the way exec does before trusting it: SSE-KMS checked
// (and the key, when pinned), then parsed strictly. The plaintext bytes are
// zeroed once parsed.
import type { S3Client } from "@aws-sdk/client-s3";
import { parseEnvFile, type ParsedEnv } from "../envfile/parse";
import type { S3Location } from "../source/uri";
import { verifyEncryption, type EncryptionPolicy } from "../source/verify";
import { readObject, type ObjectFacts } from "./object";

export interface ReadOptions {
  readonly maxBytes: number;
  readonly encryption: EncryptionPolicy;
}

export interface LoadedEnv extends ObjectFacts, ParsedEnv {
  /** The stored text, only when asked for (get --reveal, edit). */
  readonly text: string | undefined;
}

export async function loadEnv(
  s3: S3Client,
  loc: S3Location,
  options: ReadOptions,
  keepText = false,
): Promise<LoadedEnv> {
  const { body, ...facts } = await readObject(s3, loc, options.maxBytes);
  try {
    verifyEncryption(loc, facts, options.encryption);
    const parsed = parseEnvFile(body, loc.uri, options.maxBytes);
    const text = keepText ? body.toString("utf8").replace(/^\uFEFF/, "") : undefined;
    return { ...facts, ...parsed, text };
  } finally {
    body.fill(0);
  }
}

/** loadEnv, or undefined when the object does not exist (set and edit then create it). */
export async function loadEnvIfExists(
  s3: S3Client,
  loc: S3Location,
  options: ReadOptions,
  keepText = false,
): Promise<LoadedEnv | undefined> {
  try {
    return await loadEnv(s3, loc, options, keepText);
  } catch (err) {
    if ((err as { code?: string }).code === "NO_SUCH_KEY") return undefined;
    throw err;
  }
}
