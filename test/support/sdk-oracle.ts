// The AWS SDK as an oracle for where requests go: a request handler that
// captures the signed request instead of sending it, and a process
// environment (with a HOME and AWS files of its own) that both the SDK's
// client and our resolution read. Used by test/unit/aws/resolve.test.ts (S3)
// and kms-endpoint.test.ts (KMS).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HttpRequest } from "@smithy/types";

export type Env = Record<string, string>;

/** What a row sets: environment variables and the AWS config and credentials files. */
export interface Setting {
  readonly env: Env;
  readonly config?: string;
  readonly credentials?: string;
}

export class Captured extends Error {
  constructor(readonly request: HttpRequest) {
    super("captured");
  }
}

/** A request handler that never sends: it throws the signed request as Captured. */
export const capture = {
  handle(request: HttpRequest): Promise<never> {
    return Promise.reject(new Captured(request));
  },
};

/**
 * What `send` would have sent, read by `read`; { error: true } when the
 * client refuses before sending (its endpoint rules, its configuration).
 * `client` is destroyed either way.
 */
export async function captured<T>(
  client: { destroy(): void },
  send: () => Promise<unknown>,
  read: (request: HttpRequest) => T,
): Promise<T | { error: true }> {
  try {
    await send();
    throw new Error("sent");
  } catch (err) {
    if (err instanceof Captured) return read(err.request);
    return { error: true };
  } finally {
    client.destroy();
  }
}

export const credentials = { accessKeyId: "AKIDORACLE", secretAccessKey: "oracle-secret" };

/** The setting's environment as the process's, with a HOME of its own (the SDK caches files by path). */
export async function withEnv<T>(setting: Setting, run: (env: Env) => Promise<T>): Promise<T> {
  const home = mkdtempSync(path.join(tmpdir(), "s3-kms-env-oracle-"));
  mkdirSync(path.join(home, ".aws"));
  if (setting.config !== undefined)
    writeFileSync(path.join(home, ".aws", "config"), setting.config);
  if (setting.credentials !== undefined) {
    writeFileSync(path.join(home, ".aws", "credentials"), setting.credentials);
  }
  const env: Env = { HOME: home, AWS_EC2_METADATA_DISABLED: "true", ...setting.env };
  const saved = process.env;
  process.env = { ...env };
  try {
    return await run(env);
  } finally {
    process.env = saved;
  }
}
