// exec's audit: the event of a start or a failed start, written to the log
// (json format: the event itself, with its CloudWatch metrics) and POSTed by
// --notify. Nothing here runs for a text-format start without --notify, and
// the notify module is loaded only when --notify is given.
import { errorCode, hasCode, type S3KmsEnvError } from "../errors";
import type { Fields, Logger } from "../log";
import type { ResolvedAws } from "../aws/resolve";
import type { Deadline } from "../deadline";
import type { SourceLocation } from "../fetch/sources";
import { auditContext, notifyEvent } from "./deliver";
import { withEmf } from "./emf";
import { startEvent, startFailedEvent, type LoadedFacts } from "./event";
import type { AuditSettings } from "./settings";

type Env = Readonly<Record<string, string | undefined>>;

export interface StartAudit {
  readonly log: Logger;
  readonly settings: AuditSettings;
  readonly env: Env;
}

/** Whether this run makes events at all: json logs or --notify. */
function wanted(audit: StartAudit): boolean {
  return audit.log.format === "json" || audit.settings.notify !== undefined;
}

/**
 * A start that is about to happen: POSTed first (a required POST that fails
 * throws NOTIFY_FAILED: a failed start), then logged: in text, the
 * human line (`message` and `fields`); in json, the event under `message`.
 */
export async function auditStart(
  audit: StartAudit,
  facts: {
    readonly locations: readonly SourceLocation[];
    readonly loaded: readonly LoadedFacts[];
    readonly applied: readonly string[];
    readonly aws: ResolvedAws;
    readonly deadline: Deadline;
  },
  message: string,
  fields: Fields,
): Promise<void> {
  if (!wanted(audit)) return audit.log.info(message, fields);
  const ctx = auditContext(audit.settings, audit.env);
  const event = startEvent(ctx, facts.locations, facts.loaded, facts.applied);
  const record = withEmf(event, Date.now());
  const { notify } = audit.settings;
  if (notify !== undefined) {
    const bound = Math.min(notify.timeoutMs, facts.deadline.remainingMs());
    try {
      await notifyEvent(notify, event, () => Promise.resolve(facts.aws), bound);
    } catch (err) {
      // The caller's failed start (auditFailedStart) logs it as one.
      if (notify.required) throw err;
      audit.log.warn(`${(err as S3KmsEnvError).message}; the app starts anyway`);
    }
  }
  if (audit.log.format === "text") audit.log.info(message, fields);
  audit.log.audit("info", message, record);
}

/**
 * A start that failed with `err`: logged, then POSTed within --notify's own
 * bound (the start's deadline may be what failed). A failed POST is only
 * logged: the start has failed already. Not for a signal: the process must
 * end at once.
 */
export async function auditFailedStart(
  audit: StartAudit,
  locations: readonly SourceLocation[],
  err: unknown,
): Promise<void> {
  if (!wanted(audit) || hasCode(err, "INTERRUPTED")) return;
  const event = startFailedEvent(
    auditContext(audit.settings, audit.env),
    locations,
    errorCode(err),
  );
  const record = withEmf(event, Date.now());
  audit.log.audit("error", "start failed", record);
  const { notify } = audit.settings;
  // A POST that just failed is not tried again for its own failure.
  if (notify === undefined || hasCode(err, "NOTIFY_FAILED")) return;
  try {
    await notifyEvent(
      notify,
      event,
      async () => (await import("../aws/resolve")).resolveAwsSettings(audit.env, {}),
      notify.timeoutMs,
    );
  } catch (e) {
    audit.log.warn((e as S3KmsEnvError).message);
  }
}
