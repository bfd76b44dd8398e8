// The AWS settings every command runs with: the standard ones (region,
// endpoints, FIPS, dual-stack, addressing style, CA bundle, proxy: resolve.ts),
// credentials, the deadline, and the trusted and write keys, with aliases
// resolved through KMS at most once per run. One resolution for exec and ops
// alike; the CLI only parses the flags that feed it (cli/options.ts).
import { usageError } from "../errors";
import { startDeadline, type Deadline } from "../deadline";
import type { Logger } from "../log";
import { credentialSource, type CredentialSource } from "./config";
import type { KmsAccess } from "./kms-key";
import { requireRegion, resolveAwsSettings, type ResolvedAws } from "./resolve";
import { settingsFields, type Trace } from "./trace";

type Env = Readonly<Record<string, string | undefined>>;

/** How S3 is reached, and within what limits. */
export interface AwsSettings {
  readonly region: string;
  /** The custom S3 endpoint, if any (for messages): the request's URL comes from `aws`. */
  readonly endpoint: URL | undefined;
  /** The resolved standard settings (resolve.ts): endpoint, addressing, TLS, proxy. */
  readonly aws: ResolvedAws;
  readonly credentials: CredentialSource;
  /** Largest object accepted, in bytes. */
  readonly maxBytes: number;
  /** --timeout, in ms. */
  readonly timeoutMs: number;
  /** exec's one deadline (--timeout from the start): credentials, alias lookup, fetch, retries. */
  readonly deadline: Deadline;
  /** Attempts per request of the ops commands' SDK client; exec retries until the deadline. */
  readonly maxAttempts: number;
  /** --debug's trace of endpoints, credentials and attempts (trace.ts). */
  readonly trace?: Trace;
}

/** Key names as given: each list split on commas and white space, aliases unresolved. */
export interface KeySpecs {
  /** --kms-key-id */
  readonly flag: readonly string[];
  /** S3_KMS_ENV_KMS_KEY_ID */
  readonly env: readonly string[];
  /** --trusted-kms-key-id */
  readonly trusted: readonly string[];
}

export interface Settings {
  readonly s3: AwsSettings;
  /** How KMS is reached for alias and key lookups: the same region, endpoint and credentials. */
  readonly kms: KmsAccess;
  readonly allowUnencrypted: boolean;
  /** The key lists as given: only the ones a command uses are resolved (resolveKeys). */
  readonly keys: KeySpecs;
  /** Aliases to key ARNs, each at most once per run; key ids and ARNs as given. */
  readonly resolveKeys: (specs: readonly string[]) => Promise<string[]>;
}

function keyResolver(kms: KmsAccess): Settings["resolveKeys"] {
  const arns = new Map<string, Promise<string>>();
  return async (specs) => {
    if (specs.length === 0) return [];
    const { resolveKeyArn } = await import("./kms-key");
    return Promise.all(
      specs.map((spec) => {
        const arn = arns.get(spec) ?? resolveKeyArn(spec, kms);
        arns.set(spec, arn);
        return arn;
      }),
    );
  };
}

/**
 * The keys a reader (exec, get, diff, verify) trusts: --kms-key-id, else
 * S3_KMS_ENV_KMS_KEY_ID. Flags replace the variable rather than add to it, as
 * every other flag does.
 */
export function readerKeySpecs(keys: KeySpecs): readonly string[] {
  return keys.flag.length > 0 ? keys.flag : keys.env;
}

/** The key a writer encrypts with: --kms-key-id, else S3_KMS_ENV_KMS_KEY_ID when it names one key. */
export function writeKeySpec(keys: KeySpecs): string | undefined {
  if (keys.flag.length > 1) {
    throw usageError("give --kms-key-id once: it is the one key to write with");
  }
  return keys.flag[0] ?? (keys.env.length === 1 ? keys.env[0] : undefined);
}

/**
 * The keys an object may be under for a command to rewrite it (set, unset,
 * edit, rollback, rekey): --trusted-kms-key-id, else S3_KMS_ENV_KMS_KEY_ID,
 * plus the key it writes with.
 */
export function writerKeySpecs(keys: KeySpecs): readonly string[] {
  const trusted = keys.trusted.length > 0 ? keys.trusted : keys.env;
  return [...new Set([...trusted, ...keys.flag])];
}

/** readerKeySpecs, resolved. */
export function readerTrustedKeys(settings: Settings): Promise<string[]> {
  return settings.resolveKeys(readerKeySpecs(settings.keys));
}

/** writerKeySpecs, resolved. */
export function writerTrustedKeys(settings: Settings): Promise<string[]> {
  return settings.resolveKeys(writerKeySpecs(settings.keys));
}

/** writeKeySpec, resolved. */
export async function writeKey(settings: Settings): Promise<string | undefined> {
  const spec = writeKeySpec(settings.keys);
  return spec === undefined ? undefined : (await settings.resolveKeys([spec]))[0];
}

/**
 * What the command line decided: limits, the development opt-out, the key
 * lists, --addressing-style, and the logger (--debug traces the settings).
 */
export interface Choices {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly allowUnencrypted: boolean;
  readonly keys: KeySpecs;
  readonly addressingStyle?: string | undefined;
  readonly log?: Logger | undefined;
}

function endpointUrl(value: string | undefined): URL | undefined {
  return value === undefined ? undefined : new URL(value);
}

export async function resolveSettings(env: Env, choices: Choices): Promise<Settings> {
  const aws = await resolveAwsSettings(env, { addressingStyle: choices.addressingStyle });
  const { log } = choices;
  const trace: Trace =
    log?.level === "debug" ? (event, fields) => log.debug(event, fields) : undefined;
  trace?.("aws settings", settingsFields(aws));
  const region = requireRegion(aws);
  const s3: AwsSettings = {
    region,
    aws,
    endpoint: endpointUrl(aws.endpoints.s3?.value),
    credentials: credentialSource(env),
    timeoutMs: choices.timeoutMs,
    deadline: startDeadline(choices.timeoutMs),
    maxBytes: choices.maxBytes,
    maxAttempts: 3,
    trace,
  };
  const kms: KmsAccess = {
    region,
    aws,
    endpoint: endpointUrl(aws.endpoints.kms?.value),
    credentials: s3.credentials,
    deadline: s3.deadline,
    trace,
  };
  return {
    s3,
    kms,
    allowUnencrypted: choices.allowUnencrypted,
    keys: choices.keys,
    resolveKeys: keyResolver(kms),
  };
}
