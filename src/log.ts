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
  readonly format: LogFormat;
  /** Always written, even with --quiet. */
  error(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  verbose(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  /**
   * An audit event (audit/event.ts). In json, one object at every level,
   * --quiet included: an audit trail that a log level could switch off would
   * be no trail. In text, the event is for machines and is not written; a
   * start's human line comes from `info` as before.
   */
  audit(level: "info" | "error", message: string, record: AuditRecord): void;
}

/** What an audit event may hold: JSON data built from names and metadata only. */
export type AuditRecord = Readonly<Record<string, unknown>>;

const SERVER_TEXT_MAX = 64;

/**
 * Text that came from a server (an error code, a message, a request id, a
 * host name) as it may appear in a log line or an error message: one line
 * of printable ASCII, at most 64 characters. Anything else is replaced, so
 * a server cannot forge log lines, move the cursor or flood the log.
 */
export function serverText(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, "?");
  return printable.length <= SERVER_TEXT_MAX
    ? printable
    : `${printable.slice(0, SERVER_TEXT_MAX - 3)}...`;
}

// Defence in depth for the text format: whatever a caller passes, a line
// stays one line and carries no terminal control sequences.
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) =>
    c === "\n" ? "\\n" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function formatText(message: string, fields: Fields): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
  return escapeControls(parts.length === 0 ? message : `${message} (${parts.join(" ")})`);
}

export function createLogger(format: LogFormat = "text", level: LogLevel = "info", fd = 2): Logger {
  const writeLine = (line: string): void => {
    try {
      writeSync(fd, line + "\n");
    } catch {
      // stderr closed: nothing useful left to do with a log line.
    }
  };
  const write = (lvl: string, min: number, message: string, fields: Fields = {}): void => {
    if (min > rank[level]) return;
    writeLine(
      format === "json"
        ? JSON.stringify({ level: lvl, msg: message, ...fields })
        : `s3-kms-env: ${lvl === "info" ? "" : `${lvl}: `}${formatText(message, fields)}`,
    );
  };
  return {
    level,
    format,
    error: (m, f) => write("error", 0, m, f),
    warn: (m, f) => write("warn", 1, m, f),
    info: (m, f) => write("info", 1, m, f),
    verbose: (m, f) => write("verbose", 2, m, f),
    debug: (m, f) => write("debug", 3, m, f),
    audit: (lvl, m, record) => {
      if (format === "json") writeLine(JSON.stringify({ level: lvl, msg: m, ...record }));
    },
  };
}
