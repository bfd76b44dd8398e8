// What every ops command's argument handling shares: the options exec also
// has, --allow-name and --json, help, settings, the S3 client, and the
// warnings that follow a write.
import type { ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { createS3Client, type OpsS3 } from "../ops/client";
import type { ReadOptions } from "../ops/load";
import { isUnversioned, type Encrypt } from "../ops/object";
import { parseS3Uri, type S3Location } from "../source/uri";
import { trustedOrAny } from "../source/verify";
import {
  commonOptions,
  listValues,
  loggerFrom,
  parse,
  settingsFrom,
  writeKey,
  type CommonValues,
  type Env,
  type Settings,
} from "./options";

export const opsOptions = {
  ...commonOptions,
  "allow-name": { type: "string", multiple: true },
  json: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

/** Options of the commands that rewrite an existing object and so must trust its key. */
export const trustOptions = {
  "trusted-kms-key-id": { type: "string", multiple: true },
} as const satisfies ParseArgsOptionsConfig;

/** Options of the commands that write a new object. */
export const writeOptions = {
  ...opsOptions,
  "bucket-default-key": { type: "boolean" },
  "no-bucket-key": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

type Parsed<T extends ParseArgsOptionsConfig> = ReturnType<typeof parse<T>>;

export interface OpsContext<T extends ParseArgsOptionsConfig, A> {
  readonly values: Parsed<T>["values"];
  readonly args: A;
  readonly env: Env;
  readonly log: Logger;
  readonly settings: Settings;
  readonly s3: OpsS3;
  /** --allow-name and S3_KMS_ENV_ALLOW_NAMES, as exec reads them. */
  readonly allowNames: ReadonlySet<string>;
}

export interface OpsCommand<T extends ParseArgsOptionsConfig, A> {
  readonly name: string;
  readonly options: T;
  /** Checks the positional arguments before anything is resolved or sent. */
  readonly args: (positionals: string[], values: Parsed<T>["values"]) => A;
  readonly run: (ctx: OpsContext<T, A>) => Promise<number>;
}

/** The command as run.ts calls it. */
export function opsCommand<T extends ParseArgsOptionsConfig, A>(
  command: OpsCommand<T, A>,
): (argv: string[], env: Env, setLog: (l: Logger) => void) => Promise<number> {
  return (argv, env, setLog) => runOps(command, argv, env, setLog);
}

async function runOps<T extends ParseArgsOptionsConfig, A>(
  command: OpsCommand<T, A>,
  argv: string[],
  env: Env,
  setLog: (l: Logger) => void,
): Promise<number> {
  const { values, positionals } = parse(argv, command.options);
  const common = values as CommonValues & { help?: boolean; "allow-name"?: string[] };
  const log = loggerFrom(common, env);
  setLog(log);
  if (common.help) {
    const { printHelp } = await import("./help");
    printHelp(command.name);
    return 0;
  }
  const args = command.args(positionals, values);
  const settings = await settingsFrom(common, env, log);
  const s3 = await createS3Client(settings.s3);
  const allowNames = new Set(listValues(common["allow-name"], env.S3_KMS_ENV_ALLOW_NAMES));
  try {
    return await command.run({ values, args, env, log, settings, s3, allowNames });
  } finally {
    s3.client.destroy();
  }
}

/**
 * How ops read an object: exec's size limit, and only under `trusted` keys
 * when some are named (any KMS key otherwise: reading launders nothing).
 */
export function readOptions(settings: Settings, trusted: readonly string[]): ReadOptions {
  return {
    maxBytes: settings.s3.maxBytes,
    encryption: {
      allowUnencrypted: settings.allowUnencrypted,
      trustedKeys: trustedOrAny(trusted),
    },
  };
}

/** Exactly the positional arguments `names` describes (they name them in the message). */
export function expectArgs(positionals: string[], names: readonly string[]): string[] {
  if (positionals.length !== names.length) {
    throw new UsageError(`expected ${names.join(" ")} (got ${positionals.length} arguments)`);
  }
  return positionals;
}

/** An s3://bucket/key for a command that writes: no ?versionId=. */
export function objectUri(uri: string): S3Location {
  const loc = parseS3Uri(uri);
  if (loc.versionId !== undefined) {
    throw new UsageError(`${uri}: a command that writes takes no ?versionId=`);
  }
  return loc;
}

export function warnIfUnversioned(
  log: Logger,
  loc: S3Location,
  versionId: string | undefined,
): void {
  if (isUnversioned(versionId)) {
    log.warn(
      `bucket ${loc.bucket} is not versioned: the previous content of ${loc.uri} is gone for good (no undo). Enable versioning on the bucket`,
    );
  }
}

export function warnDuplicates(log: Logger, where: string, names: readonly string[]): void {
  if (names.length > 0) log.warn(`${where} sets a name more than once; the last wins`, { names });
}

/** How a new object is encrypted: --kms-key-id, or the bucket's default key when explicitly asked. */
export async function newObjectKey(
  values: { "bucket-default-key"?: boolean | undefined; "no-bucket-key"?: boolean | undefined },
  settings: Settings,
): Promise<Encrypt | undefined> {
  const keyArn = await writeKey(settings);
  if (values["bucket-default-key"] && keyArn !== undefined) {
    throw new UsageError("give either --kms-key-id or --bucket-default-key, not both");
  }
  if (keyArn === undefined && !values["bucket-default-key"]) return undefined;
  return { mode: "aws:kms", kmsKeyId: keyArn, bucketKeyEnabled: values["no-bucket-key"] !== true };
}

export async function requireNewObjectKey(
  values: Parameters<typeof newObjectKey>[0],
  settings: Settings,
): Promise<Encrypt> {
  const encrypt = await newObjectKey(values, settings);
  if (encrypt === undefined) {
    throw new UsageError(
      "give --kms-key-id KEY (or --bucket-default-key to use the bucket's default KMS key)",
    );
  }
  return encrypt;
}
