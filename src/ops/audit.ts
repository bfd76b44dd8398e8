// An ops write's audit event: what the command wrote, who wrote it (one STS
// GetCallerIdentity), logged with its CloudWatch metric in json format and
// POSTed by --notify. Only when something consumes it: a text-format run
// without --notify makes no event and no STS call. A failed POST is a
// warning: the write it reports is made and stays.
import { auditContext, notifyEvent } from "../audit/deliver";
import { withEmf } from "../audit/emf";
import { opsEvent, type OpsEventType, type OpsWrite } from "../audit/event";
import type { AuditSettings } from "../audit/settings";
import type { AwsSettings } from "../aws/settings";
import type { S3KmsEnvError } from "../errors";
import type { Logger } from "../log";
import { callerIdentity } from "./caller";

type Env = Readonly<Record<string, string | undefined>>;

export interface WriteAudit {
  readonly type: OpsEventType;
  readonly settings: AuditSettings;
  readonly log: Logger;
  readonly env: Env;
  readonly s3: AwsSettings;
}

export async function auditWrite(audit: WriteAudit, write: OpsWrite): Promise<void> {
  const { notify } = audit.settings;
  if (audit.log.format !== "json" && notify === undefined) return;
  const caller = await callerIdentity(audit.s3);
  const event = opsEvent(auditContext(audit.settings, audit.env), audit.type, write, caller);
  audit.log.audit("info", `${audit.type} written`, withEmf(event, Date.now()));
  if (notify === undefined) return;
  try {
    await notifyEvent(notify, event, () => Promise.resolve(audit.s3.aws), notify.timeoutMs);
  } catch (err) {
    audit.log.warn(`${(err as S3KmsEnvError).message}; the write was made`);
  }
}
