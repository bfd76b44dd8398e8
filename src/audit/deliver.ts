// What an event of any command needs around it: the run's context (version,
// host, the names setting, the clock) and --notify's delivery, with every
// failure of it as NOTIFY_FAILED. The notify module itself is loaded only
// when there is something to send.
import { hasCode, S3KmsEnvError } from "../errors";
import type { ResolvedAws } from "../aws/resolve";
import type { AuditContext, AuditEvent } from "./event";
import { hostFacts } from "./host";
import type { AuditSettings, NotifySettings } from "./settings";

type Env = Readonly<Record<string, string | undefined>>;

export function auditContext(settings: AuditSettings, env: Env): AuditContext {
  return {
    version: S3_KMS_ENV_VERSION,
    host: hostFacts(env),
    names: settings.names,
    now: () => new Date(),
    // process.uptime(), not performance.now(): the latter loads perf_hooks (~1 ms).
    elapsedMs: () => process.uptime() * 1000,
  };
}

/** --notify's POST of `event`; any failure is NOTIFY_FAILED. */
export async function notifyEvent(
  notify: NotifySettings,
  event: AuditEvent,
  transport: () => Promise<Pick<ResolvedAws, "caBundle" | "proxyEnv">>,
  timeoutMs: number,
): Promise<void> {
  const { sendEvent } = await import("./notify");
  try {
    await sendEvent(notify, event, await transport(), timeoutMs);
  } catch (err) {
    if (hasCode(err, "NOTIFY_FAILED")) throw err;
    const why = err instanceof S3KmsEnvError ? err.message : "internal error";
    throw new S3KmsEnvError("NOTIFY_FAILED", `--notify failed: ${why}`);
  }
}
