// The only writer to stderr. It takes an event name and fields that are
// names, counts, URIs, key ARNs and timings; callers never pass values read
// from an env file. Writes are synchronous so nothing is lost when the process
// is replaced by execve a moment later.
import { writeSync } from "node:fs";

export type LogFormat = "text" | "json";
export type LogLevel = "quiet" | "info" | "verbose" | "debug";
type Field = string | number | boolean | undefined | readonly string[];
export type Fields = Readonly<Record<string, Field>>;

const rank: Record<LogLevel, number> = { quiet: 0, info: 1, verbose: 2, debug: 3 };

export interface Logger {
  readonly level: LogLevel;
  /** Always written, even with --quiet. */
  error(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  verbose(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
}

function formatText(message: string, fields: Fields): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
  return parts.length === 0 ? message : `${message} (${parts.join(" ")})`;
}

export function createLogger(format: LogFormat = "text", level: LogLevel = "info", fd = 2): Logger {
  const write = (lvl: string, min: number, message: string, fields: Fields = {}): void => {
    if (min > rank[level]) return;
    const line =
      format === "json"
        ? JSON.stringify({ level: lvl, msg: message, ...fields })
        : `s3-kms-env: ${lvl === "info" ? "" : `${lvl}: `}${formatText(message, fields)}`;
    try {
      writeSync(fd, line + "\n");
    } catch {
      // stderr closed: nothing useful left to do with a log line.
    }
  };
  return {
    level,
    error: (m, f) => write("error", 0, m, f),
    warn: (m, f) => write("warn", 1, m, f),
    info: (m, f) => write("info", 1, m, f),
    verbose: (m, f) => write("verbose", 2, m, f),
    debug: (m, f) => write("debug", 3, m, f),
  };
}
