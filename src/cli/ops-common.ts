// What every ops command's argument handling shares: the options exec also
// has, --allow-name and --json, help, settings, the S3 client, and the
// warnings that follow a write.
import type { ParseArgsOptionsConfig } from "node:util";
import { usageError } from "../errors";
import type { Logger } from "../log";
import { showHelp, type CommandDefinition, type CommandHelp } from "./command";
import { createS3Client } from "../ops/s3-client";
import type { OpsS3 } from "../ops/s3";
import type { ReadOptions } from "../ops/read";
import { isUnversioned } from "../ops/object";
import { requireVersioning } from "../ops/versioning";
import type { Encrypt } from "../ops/s3";
import { parseS3Uri, type S3Location } from "../s3/location";
import { trustedOrAny } from "../s3/encryption";
import {
  ADDRESSING_STYLE_HELP,
  commonOptions,
  listValues,
  loggerFrom,
  parse,
  settingsFrom,
  type CommonValues,
  type Env,
} from "./options";
import { writeKey, type Settings } from "../aws/settings";
import { auditSource, type OpsEventType, type OpsWrite } from "../audit/event";
import { auditFailedWrite, auditWrite, type WriteAudit } from "../ops/audit";
import { auditFrom, opsAuditOptions } from "./audit-options";
import { contextPairs } from "../sealed/context";
import { sealedRoom, type SealedRoom } from "../sealed/lazy";
import { discoveryFrom, openOptions, OPEN_HELP } from "./sealed-options";

/** The options of every ops command but those that open sealed files. */
export const baseOpsOptions = {
  ...commonOptions,
  "allow-name": { type: "string", multiple: true },
  json: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

export const opsOptions = {
  ...baseOpsOptions,
  // Every ops command but seal reads (or, put, writes) sealed objects too.
  ...openOptions,
} as const satisfies ParseArgsOptionsConfig;

/** Options of the commands that rewrite an existing object and so must trust its key. */
export const trustOptions = {
  "trusted-kms-key-id": { type: "string", multiple: true },
} as const satisfies ParseArgsOptionsConfig;

/** Options of the commands that write a new object. */
export const writeOptions = {
  ...opsOptions,
  ...opsAuditOptions,
  "bucket-default-key": { type: "boolean" },
  "no-bucket-key": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

// Help text of the options above, shared by the commands that take them.
export const OPS_OPTIONS = `Common options:
  --kms-key-id ID          put, set, edit, rollback, rekey: the KMS key to write with (once);
                           get, diff, verify: a trusted key, repeatable or comma-separated.
                           Key ARN, key id or alias [S3_KMS_ENV_KMS_KEY_ID: the trusted keys,
                           comma or white space separated; the key to write with if one]
  --allow-name NAME        allow a name exec refuses, as exec --allow-name does
                           [S3_KMS_ENV_ALLOW_NAMES]
  --timeout DURATION       deadline for each request to S3, its body included (default 10s)
                           [S3_KMS_ENV_TIMEOUT]
  --max-size SIZE          largest env file accepted (default 1M) [S3_KMS_ENV_MAX_SIZE]
${ADDRESSING_STYLE_HELP}
  --json                   machine-readable output (never holds a value)
${OPEN_HELP}
  --log-format text|json, -q | -v | --debug, -h, --help`;

export const TRUST_OPTIONS = `  --trusted-kms-key-id ID  a key the object may be under to be rewritten: repeatable or
                           comma-separated (default: S3_KMS_ENV_KMS_KEY_ID's list); the key
                           of --kms-key-id is trusted too. An object under another key is
                           refused (WRONG_KMS_KEY): re-writing it would bless what anyone
                           planted in it`;

export { OPS_AUDIT_OPTIONS_HELP } from "./audit-options";

export const NEW_OBJECT_OPTIONS = `  --kms-key-id ID          encrypt with this KMS key
  --bucket-default-key     encrypt with the bucket's default KMS key instead (explicit opt-in)
  --no-bucket-key          do not use an S3 Bucket Key (on by default: fewer KMS calls)`;

/** put's, set's and edit's --client-side: a new object is sealed. */
export const clientSideOptions = {
  "client-side": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

export const CLIENT_SIDE_HELP = `  --client-side            seal the file here first (AWS Encryption SDK message under the
                           --kms-key-id key, bound to s3-object=s3://bucket/key and every
                           --context pair), then upload it SSE-KMS as usual; exec and the
                           ops commands open it`;

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
  /** A write's audit event (ops/audit.ts), named after the command. */
  readonly audit: (write: OpsWrite) => Promise<void>;
  /** Opens and seals sealed objects (--context, --discovery-account); loaded on first use. */
  readonly sealed: SealedRoom;
}

export interface OpsCommand<T extends ParseArgsOptionsConfig, A> {
  readonly name: string;
  readonly help: () => CommandHelp;
  readonly options: T;
  /** Checks the positional arguments before anything is resolved or sent. */
  readonly args: (positionals: string[], values: Parsed<T>["values"]) => A;
  /** A command that writes: the object (or prefix) it writes, named by a failed write's event. */
  readonly target?: (args: A) => S3Location;
  readonly run: (ctx: OpsContext<T, A>) => Promise<number>;
}

/** The command's definition, as cli/main.ts runs it and cli/help.ts shows it. */
export function opsCommand<T extends ParseArgsOptionsConfig, A>(
  command: OpsCommand<T, A>,
): CommandDefinition {
  return {
    name: command.name,
    help: command.help,
    options: command.options,
    run: (argv, env, setLog) => runOps(command, argv, env, setLog),
  };
}

async function runOps<T extends ParseArgsOptionsConfig, A>(
  command: OpsCommand<T, A>,
  argv: string[],
  env: Env,
  setLog: (l: Logger) => void,
): Promise<number> {
  const { values, positionals } = parse(argv, command.options);
  const common = values as CommonValues & {
    help?: boolean;
    "allow-name"?: string[];
    context?: string[];
    "discovery-account"?: string[];
  };
  const log = loggerFrom(common, env);
  setLog(log);
  if (common.help) return showHelp(command);
  const args = command.args(positionals, values);
  const settings = await settingsFrom(common, env, log);
  const sealed = sealedRoom(
    {
      context: contextPairs(common.context ?? []),
      maxBytes: settings.s3.maxBytes,
      discovery: discoveryFrom(common),
    },
    settings.kms,
  );
  const s3 = await createS3Client(settings.s3);
  const allowNames = new Set(listValues(common["allow-name"], env.S3_KMS_ENV_ALLOW_NAMES));
  // Read before anything is written: a bad --notify must not surface after the write.
  const auditSettings = Object.hasOwn(command.options, "notify")
    ? auditFrom(values, env, true)
    : { names: true, notify: undefined };
  const writeAudit: WriteAudit = {
    type: command.name as OpsEventType,
    settings: auditSettings,
    log,
    env,
    s3: settings.s3,
  };
  const audit = (write: OpsWrite): Promise<void> => auditWrite(writeAudit, write);
  try {
    return await command.run({ values, args, env, log, settings, s3, allowNames, audit, sealed });
  } catch (err) {
    // Before the error line, as exec's start_failed.
    if (command.target)
      await auditFailedWrite(writeAudit, [auditSource(command.target(args))], err);
    throw err;
  } finally {
    s3.destroy();
    sealed.destroy();
  }
}

/**
 * How ops read an object: exec's size limit, and only under `trusted` keys
 * when some are named (any KMS key otherwise: reading launders nothing). A
 * sealed object opens only under a named key (or --discovery-account).
 */
export function readOptions(
  settings: Settings,
  trusted: readonly string[],
  sealed: SealedRoom,
): ReadOptions {
  return {
    maxBytes: settings.s3.maxBytes,
    encryption: {
      allowUnencrypted: settings.allowUnencrypted,
      trustedKeys: trustedOrAny(trusted),
    },
    sealed,
  };
}

/** Exactly the positional arguments `names` describes (they name them in the message). */
export function expectArgs(positionals: string[], names: readonly string[]): string[] {
  if (positionals.length !== names.length) {
    throw usageError(`expected ${names.join(" ")} (got ${positionals.length} arguments)`);
  }
  return positionals;
}

/** An s3://bucket/key for a command that writes: no ?versionId=. */
export function objectUri(uri: string): S3Location {
  const loc = parseS3Uri(uri);
  if (loc.versionId !== undefined) {
    throw usageError(`${uri}: a command that writes takes no ?versionId=`);
  }
  return loc;
}

/** put's and set's (and unset's) --allow-unversioned. */
export const versioningOptions = {
  "allow-unversioned": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

export const VERSIONING_OPTIONS = `  --allow-unversioned      write to a bucket without versioning (or with it suspended); refused
                           otherwise, checked before writing (s3:GetBucketVersioning): there a
                           write replaces the previous content for good`;

/** Refuses an unversioned bucket before anything is written, unless --allow-unversioned. */
export async function checkVersioning(
  values: { "allow-unversioned"?: boolean | undefined },
  s3: OpsS3,
  loc: S3Location,
): Promise<void> {
  if (values["allow-unversioned"] !== true) await requireVersioning(s3, loc);
}

/** After a write allowed by --allow-unversioned (or rollback's): there is no undo. */
export function warnIfUnversioned(
  log: Logger,
  loc: S3Location,
  versionId: string | undefined,
  created = false,
): void {
  if (isUnversioned(versionId)) {
    log.warn(
      created
        ? `bucket ${loc.bucket} is not versioned: ${loc.uri} keeps no history, so this write cannot be rolled back`
        : `bucket ${loc.bucket} is not versioned: any previous content of ${loc.uri} is gone for good (no rollback)`,
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
    throw usageError("give either --kms-key-id or --bucket-default-key, not both");
  }
  if (keyArn === undefined && !values["bucket-default-key"]) return undefined;
  return { mode: "aws:kms", kmsKeyId: keyArn, bucketKeyEnabled: values["no-bucket-key"] !== true };
}

/**
 * The new object's encryption, sealed (under its --kms-key-id key, with
 * --context's pairs) when --client-side asks for it.
 */
export function sealedIfAsked<E extends Encrypt | undefined>(
  values: { "client-side"?: boolean | undefined; context?: string[] | undefined },
  encrypt: E,
): E {
  if (!values["client-side"]) return encrypt;
  const keyId = encrypt?.kmsKeyId;
  if (encrypt === undefined || keyId === undefined) {
    throw usageError(
      encrypt === undefined
        ? "--client-side seals a new object under --kms-key-id: give it"
        : "--client-side seals under --kms-key-id: give it instead of --bucket-default-key",
    );
  }
  return { ...encrypt, sealed: { keyId, context: contextPairs(values.context ?? []) } };
}

export async function requireNewObjectKey(
  values: Parameters<typeof newObjectKey>[0],
  settings: Settings,
): Promise<Encrypt> {
  const encrypt = await newObjectKey(values, settings);
  if (encrypt === undefined) {
    throw usageError(
      "give --kms-key-id KEY (or --bucket-default-key to use the bucket's default KMS key)",
    );
  }
  return encrypt;
}
