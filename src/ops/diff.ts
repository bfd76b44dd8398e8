// diff: which names were added, removed or changed between two env files,
// each a local file, stdin ("-") or an S3 object, any of them sealed. Values
// are compared here and never returned.
import type { OpsS3 } from "./s3";
import { parseEnvFile } from "../envfile/parse";
import { parseS3Uri } from "../s3/location";
import { loadEnv, type ReadOptions } from "./read";
import { inputName, readInput } from "./local-input";
import { sealedForm } from "../sealed/format";

export interface DiffOptions extends ReadOptions {
  /** The S3 object a sealed local file is bound to (--s3-object), if any. */
  readonly localObject: string | undefined;
}

export interface EnvDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: number;
}

export function diffVars(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): EnvDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const [name, value] of before) {
    const now = after.get(name);
    if (now === undefined) removed.push(name);
    else if (now !== value) changed.push(name);
    else unchanged++;
  }
  for (const name of after.keys()) if (!before.has(name)) added.push(name);
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    added: added.sort(byName),
    removed: removed.sort(byName),
    changed: changed.sort(byName),
    unchanged,
  };
}

export function isSame(diff: EnvDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length === 0;
}

/**
 * A local file's plaintext: the file itself, or, when its header says it is
 * sealed, what the sealed room opens (the trusted keys or
 * --discovery-account, --context, --s3-object), as unseal would.
 */
async function localPlaintext(bytes: Buffer, name: string, options: DiffOptions): Promise<Buffer> {
  if (sealedForm(bytes) === undefined) return bytes;
  try {
    const trusted = options.encryption.trustedKeys;
    return (await options.sealed.open(bytes, name, options.localObject, trusted)).plaintext;
  } finally {
    bytes.fill(0);
  }
}

async function loadSide(
  s3: OpsS3,
  side: string,
  options: DiffOptions,
): Promise<ReadonlyMap<string, string>> {
  if (side.startsWith("s3://")) return (await loadEnv(s3, parseS3Uri(side), options)).vars;
  const name = inputName(side);
  const bytes = await localPlaintext(await readInput(side, options.maxBytes), name, options);
  try {
    return parseEnvFile(bytes, name, options.maxBytes).vars;
  } finally {
    bytes.fill(0);
  }
}

export async function diffEnv(
  s3: OpsS3,
  before: string,
  after: string,
  options: DiffOptions,
): Promise<EnvDiff> {
  const [a, b] = await Promise.all([loadSide(s3, before, options), loadSide(s3, after, options)]);
  return diffVars(a, b);
}
