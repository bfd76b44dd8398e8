// What the command line decided about audit events (cli/audit-options.ts
// parses it): whether events name variables, and where --notify sends them.

export interface NotifySettings {
  /** http(s)://…; may carry user:password, which is sent and never shown (see `shownUrl`). */
  readonly url: URL;
  /** Where the HMAC-SHA256 key is: a file, or the value of S3_KMS_ENV_NOTIFY_SECRET. */
  readonly secret:
    { readonly file: string } | { readonly value: string; readonly from: string } | undefined;
  /** The POST's own bound, inside the start's deadline. */
  readonly timeoutMs: number;
  /** A failed POST fails the start (NOTIFY_FAILED) instead of being logged. */
  readonly required: boolean;
}

export interface AuditSettings {
  /** False: events give counts, not names (--audit-no-names). */
  readonly names: boolean;
  readonly notify: NotifySettings | undefined;
}

/** The URL as messages show it: its origin, never its credentials, path or query. */
export function shownUrl(url: URL): string {
  return url.origin;
}
