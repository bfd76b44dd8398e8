// Options every command shares, and turning them (with their environment
// equivalents) into settings. Flags win over S3_KMS_ENV_* variables.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { S3KmsEnvError, usageError } from "../errors";
import { createLogger, serverText, type LogLevel, type Logger } from "../log";
import { resolveSettings, type KeySpecs, type Settings } from "../aws/settings";

export type Env = Readonly<Record<string, string | undefined>>;

export const commonOptions = {
  "kms-key-id": { type: "string", multiple: true },
  "insecure-allow-unencrypted": { type: "boolean" },
  timeout: { type: "string" },
  "max-size": { type: "string" },
  "log-format": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  debug: { type: "boolean" },
  "addressing-style": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

export interface CommonValues {
  "kms-key-id"?: string[] | undefined;
  /** Only the ops commands that rewrite an existing object have it. */
  "trusted-kms-key-id"?: string[] | undefined;
  "insecure-allow-unencrypted"?: boolean | undefined;
  timeout?: string | undefined;
  "max-size"?: string | undefined;
  "log-format"?: string | undefined;
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
  debug?: boolean | undefined;
  "addressing-style"?: string | undefined;
}

/** The option a parseArgs message quotes: "'-q, --quiet'" → "--quiet". */
function quotedOption(message: string): string {
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  const name = quoted.split(/[ ,]+/).find((part) => part.startsWith("--")) ?? quoted.split(" ")[0];
  return serverText(name ?? "");
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The command's option closest to an unknown --name: the only one it begins,
 * else the nearest by edit distance, if near enough to be a typo.
 */
export function closestOption(typed: string, names: readonly string[]): string | undefined {
  if (!typed.startsWith("--")) return undefined;
  const name = typed.slice(2).toLowerCase();
  if (name === "") return undefined;
  const begun = names.filter((n) => n.startsWith(name));
  if (begun.length === 1) return `--${begun[0] ?? ""}`;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(name.length / 3)) + 1;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best === undefined ? undefined : `--${best}`;
}

/**
 * parseArgs's messages span lines (and suggest its own syntax); each of its
 * error shapes becomes one line of ours. The option as typed is bounded like
 * any text we did not write.
 */
function usageFromParseArgs(
  err: { code?: string; message: string },
  args: string[],
  names: readonly string[],
): S3KmsEnvError {
  const option = quotedOption(err.message);
  switch (err.code) {
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      if (/argument missing/.test(err.message)) return usageError(`${option} needs a value`);
      if (/does not take an argument/.test(err.message)) {
        return usageError(`${option} takes no value`);
      }
      const next = args[args.indexOf(option) + 1] ?? "-…";
      return usageError(
        `${option} needs a value; to pass one that starts with "-", write ${option}=${serverText(next)}`,
      );
    }
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      // Ours only: never advice that would hand the option to exec's app.
      const near = closestOption(option, names);
      return usageError(
        near === undefined
          ? `unknown option ${option}; see --help`
          : `unknown option ${option}; did you mean ${near}? (see --help)`,
      );
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return usageError(`unexpected argument ${JSON.stringify(option)}`);
  }
  return usageError(serverText(err.message.split("\n")[0] ?? "invalid arguments"));
}

/** util.parseArgs, with its errors turned into one-line usage errors. */
export function parse<T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageFromParseArgs(err as { code?: string; message: string }, args, Object.keys(options));
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** "10s", "500ms", "2m" or a plain number of seconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m?.[1]) throw usageError(`${what} must be a duration such as 10s, 500ms or 2m`);
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000;
  if (ms <= 0) throw usageError(`${what} must be more than zero`);
  // Node's timers (and AbortSignal.timeout) take at most 2^31-1 ms; a longer
  // delay would fire at once, i.e. time out every request.
  if (ms > MAX_TIMER_MS) throw usageError(`${what} must be at most 24 days`);
  return ms;
}

/** Bytes, or with a K/M suffix (KiB/MiB). */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+)([KkMm]i?[Bb]?)?$/.exec(text.trim());
  if (!m?.[1]) throw usageError(`${what} must be a size such as 1048576, 512K or 4M`);
  const unit = m[2]?.[0]?.toUpperCase();
  const n = Number(m[1]) * (unit === "K" ? 1024 : unit === "M" ? 1024 * 1024 : 1);
  if (n <= 0) throw usageError(`${what} must be more than zero`);
  return n;
}

export function loggerFrom(values: CommonValues, env: Env): Logger {
  const format = values["log-format"] ?? env.S3_KMS_ENV_LOG_FORMAT ?? "text";
  if (format !== "text" && format !== "json") {
    throw usageError(`--log-format must be "text" or "json"`);
  }
  const envLevel = env.S3_KMS_ENV_LOG_LEVEL;
  if (envLevel !== undefined && !["quiet", "info", "verbose", "debug"].includes(envLevel)) {
    throw usageError(`S3_KMS_ENV_LOG_LEVEL must be quiet, info, verbose or debug`);
  }
  const level: LogLevel = values.debug
    ? "debug"
    : values.verbose
      ? "verbose"
      : values.quiet
        ? "quiet"
        : ((envLevel as LogLevel | undefined) ?? "info");
  return createLogger(format, level);
}

function splitKeys(texts: readonly string[]): string[] {
  return texts.flatMap((t) => t.split(/[\s,]+/)).filter((s) => s !== "");
}

export function keySpecs(values: CommonValues, env: Env): KeySpecs {
  return {
    flag: splitKeys(values["kms-key-id"] ?? []),
    env: splitKeys([env.S3_KMS_ENV_KMS_KEY_ID ?? ""]),
    trusted: splitKeys(values["trusted-kms-key-id"] ?? []),
  };
}

export async function settingsFrom(
  values: CommonValues,
  env: Env,
  log?: Logger,
): Promise<Settings> {
  const timeout = values.timeout ?? env.S3_KMS_ENV_TIMEOUT;
  const maxSize = values["max-size"] ?? env.S3_KMS_ENV_MAX_SIZE;
  return resolveSettings(env, {
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout, "--timeout"),
    maxBytes: maxSize === undefined ? DEFAULT_MAX_BYTES : parseSize(maxSize, "--max-size"),
    allowUnencrypted: values["insecure-allow-unencrypted"] === true,
    keys: keySpecs(values, env),
    addressingStyle: values["addressing-style"],
    log,
  });
}

/** Repeatable flags and their environment variable, each also comma-separated. */
export function listValues(
  values: readonly string[] | undefined,
  fromEnv: string | undefined,
): string[] {
  return [...(values ?? []), ...(fromEnv === undefined ? [] : [fromEnv])]
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** --addressing-style in the help of exec and of every ops command. */
export const ADDRESSING_STYLE_HELP = `  --addressing-style auto|path|virtual
                           S3 addressing: auto is virtual host on AWS, path style for IP,
                           localhost and single-label endpoints (http://minio:9000) and bucket
                           names with dots [S3_KMS_ENV_ADDRESSING_STYLE; the profile's
                           s3 = addressing_style]`;

/** The logging options and --help, last in the help of exec and render. */
export const LOG_OPTIONS_HELP = `  --log-format text|json   [S3_KMS_ENV_LOG_FORMAT]
  -q, --quiet | -v, --verbose | --debug
                           log level; no level ever prints a value [S3_KMS_ENV_LOG_LEVEL]
  -h, --help`;
