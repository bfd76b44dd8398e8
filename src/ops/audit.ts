// An ops write's audit event: what the command wrote, who wrote it (one STS
// GetCallerIdentity), logged with its CloudWatch metric in json format and
// POSTed by --notify; and a write that failed, as write_failed with its
// error code. Only when something consumes it: a text-format run without
// --notify makes no event and no STS call. A failed POST is a warning: the
// write it reports is made and stays (or failed already).
import { auditContext, notifyEvent } from "../audit/deliver";
import { withEmf } from "../audit/emf";
import {
  opsEvent,
  writeFailedEvent,
  type AuditEvent,
  type AuditSource,
  type Caller,
  type OpsEventType,
  type OpsWrite,
} from "../audit/event";
import type { AuditSettings } from "../audit/settings";
import type { AwsSettings } from "../aws/settings";
import { errorCode, hasCode, type S3KmsEnvError } from "../errors";
import type { Logger } from "../log";
import { callerIdentity } from "./caller";

type Env = Readonly<Record<string, string | undefined>>;

const NO_IDENTITY = ["NO_CREDENTIALS", "CREDENTIALS_REJECTED", "NO_PROFILE", "NO_REGION"] as const;

export interface WriteAudit {
  readonly type: OpsEventType;
  readonly settings: AuditSettings;
  readonly log: Logger;
  readonly env: Env;
  readonly s3: AwsSettings;
}

function wanted(audit: WriteAudit): boolean {
  return audit.log.format === "json" || audit.settings.notify !== undefined;
}

/** Logs the event (json format) and POSTs it (--notify); `after` ends a failed POST's warning. */
async function deliver(
  audit: WriteAudit,
  event: AuditEvent,
  level: "info" | "error",
  message: string,
  after?: string,
): Promise<void> {
  audit.log.audit(level, message, withEmf(event, Date.now()));
  const { notify } = audit.settings;
  if (notify === undefined) return;
  try {
    await notifyEvent(notify, event, () => Promise.resolve(audit.s3.aws), notify.timeoutMs);
  } catch (err) {
    const why = (err as S3KmsEnvError).message;
    audit.log.warn(after === undefined ? why : `${why}; ${after}`);
  }
}

export async function auditWrite(audit: WriteAudit, write: OpsWrite): Promise<void> {
  if (!wanted(audit)) return;
  const caller = await callerIdentity(audit.s3);
  const event = opsEvent(auditContext(audit.settings, audit.env), audit.type, write, caller);
  await deliver(audit, event, "info", `${audit.type} written`, "the write was made");
}

/**
 * A write that failed with `err`, before its error line. Not for a signal:
 * the process must end at once.
 */
export async function auditFailedWrite(
  audit: WriteAudit,
  sources: readonly AuditSource[],
  err: unknown,
): Promise<void> {
  if (!wanted(audit) || hasCode(err, "INTERRUPTED")) return;
  // Credentials that failed the write cannot tell STS who they are either: not asked twice.
  const caller: Caller = hasCode(err, ...NO_IDENTITY)
    ? { arn: "unknown", reason: errorCode(err) }
    : await callerIdentity(audit.s3);
  const ctx = auditContext(audit.settings, audit.env);
  const event = writeFailedEvent(ctx, audit.type, sources, errorCode(err), caller);
  await deliver(audit, event, "error", `${audit.type} failed`);
}
