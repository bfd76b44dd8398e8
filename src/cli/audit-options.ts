// The audit options exec and the ops commands that write share: names in
// events or not, and --notify with its key, bound and strictness. Flags win
// over their S3_KMS_ENV_* variables, which exec removes from the app's
// environment like every S3_KMS_ENV_* (unless --pass-own-config).
import type { ParseArgsOptionsConfig } from "node:util";
import { usageError } from "../errors";
import type { AuditSettings, NotifySettings } from "../audit/settings";
import { parseDuration, type Env } from "./options";

export const auditOptions = {
  "audit-no-names": { type: "boolean" },
  notify: { type: "string" },
  "notify-secret-file": { type: "string" },
  "notify-timeout": { type: "string" },
  "notify-required": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

/**
 * The ops writes' audit options: no --notify-required, since a write that
 * was made cannot be undone when its event is not taken.
 */
export const opsAuditOptions = {
  "audit-no-names": auditOptions["audit-no-names"],
  notify: auditOptions.notify,
  "notify-secret-file": auditOptions["notify-secret-file"],
  "notify-timeout": auditOptions["notify-timeout"],
} as const satisfies ParseArgsOptionsConfig;

export interface AuditValues {
  "audit-no-names"?: boolean | undefined;
  notify?: string | undefined;
  "notify-secret-file"?: string | undefined;
  "notify-timeout"?: string | undefined;
  "notify-required"?: boolean | undefined;
}

const DEFAULT_NOTIFY_TIMEOUT_MS = 2000;

/** A boolean variable: set to 1 or true. */
function isOn(text: string | undefined): boolean {
  return text === "1" || text?.toLowerCase() === "true";
}

function notifyUrl(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // The text is never quoted: it may carry a password.
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw usageError("--notify (S3_KMS_ENV_NOTIFY_URL) must be an http:// or https:// URL");
  }
  return url;
}

function notifySecret(values: AuditValues, env: Env): NotifySettings["secret"] {
  const file = values["notify-secret-file"] ?? env.S3_KMS_ENV_NOTIFY_SECRET_FILE;
  if (file !== undefined) return { file };
  const value = env.S3_KMS_ENV_NOTIFY_SECRET;
  return value === undefined ? undefined : { value, from: "S3_KMS_ENV_NOTIFY_SECRET" };
}

/** exec's audit settings; an ops write's (`ops`) never has --notify-required. */
export function auditFrom(values: AuditValues, env: Env, ops = false): AuditSettings {
  const names = !(values["audit-no-names"] === true || isOn(env.S3_KMS_ENV_AUDIT_NO_NAMES));
  const url = values.notify ?? env.S3_KMS_ENV_NOTIFY_URL;
  const required =
    !ops && (values["notify-required"] === true || isOn(env.S3_KMS_ENV_NOTIFY_REQUIRED));
  if (url === undefined || url === "") {
    if (required) throw usageError("--notify-required needs --notify URL (S3_KMS_ENV_NOTIFY_URL)");
    return { names, notify: undefined };
  }
  const timeout = values["notify-timeout"] ?? env.S3_KMS_ENV_NOTIFY_TIMEOUT;
  return {
    names,
    notify: {
      url: notifyUrl(url),
      secret: notifySecret(values, env),
      timeoutMs:
        timeout === undefined
          ? DEFAULT_NOTIFY_TIMEOUT_MS
          : parseDuration(timeout, "--notify-timeout"),
      required,
    },
  };
}

/** The audit options' help, as the ops commands that write show it. */
export const OPS_AUDIT_OPTIONS_HELP = `Audit options (an event with --log-format json or --notify):
  --audit-no-names         audit events give counts, not variable names
                           [S3_KMS_ENV_AUDIT_NO_NAMES=1]
  --notify URL             POST each audit event as JSON to URL (exec: before the app starts,
                           or before exiting on failure); only the URL's origin is logged
                           [S3_KMS_ENV_NOTIFY_URL]
  --notify-secret-file FILE
                           sign the body with HMAC-SHA256 under the key in FILE (one trailing
                           newline ignored), sent as X-S3-Kms-Env-Signature-256: sha256=HEX
                           [S3_KMS_ENV_NOTIFY_SECRET_FILE, or the key itself in
                           S3_KMS_ENV_NOTIFY_SECRET]
  --notify-timeout DURATION
                           bound of the POST (default 2s), inside --timeout's deadline
                           [S3_KMS_ENV_NOTIFY_TIMEOUT]`;

/** exec's: the ops commands' and --notify-required. */
export const AUDIT_OPTIONS_HELP = `${OPS_AUDIT_OPTIONS_HELP}
  --notify-required        fail (NOTIFY_FAILED, 125) when the POST fails, instead of warning
                           and starting the app [S3_KMS_ENV_NOTIFY_REQUIRED=1]`;
