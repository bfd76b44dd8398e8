// --notify: one POST of the audit event as JSON to the ops service, signed
// with HMAC-SHA256 like a GitHub webhook when a key is given, TLS verified
// with the CA bundle and through the proxy the AWS calls use (aws/agents.ts),
// and bounded by its own timeout. Loaded only when --notify is given: a start
// without it never evaluates this module, node:crypto or node:https.
import { readFileSync } from "node:fs";
import * as http from "node:http";
import { S3KmsEnvError } from "../errors";
import { serverText } from "../log";
import { agentsFor } from "../aws/agents";
import type { ResolvedAws } from "../aws/resolve";
import type { AuditEvent } from "./event";
import { shownUrl, type NotifySettings } from "./settings";

export const SIGNATURE_HEADER = "x-s3-kms-env-signature-256";
export const EVENT_HEADER = "x-s3-kms-env-event";

function failed(settings: NotifySettings, why: string): S3KmsEnvError {
  return new S3KmsEnvError("NOTIFY_FAILED", `--notify to ${shownUrl(settings.url)} failed: ${why}`);
}

/** The HMAC key, as bytes: a file's content without one trailing newline, or the variable's value. */
function signingKey(settings: NotifySettings): Buffer | undefined {
  const secret = settings.secret;
  if (secret === undefined) return undefined;
  if ("value" in secret) {
    if (secret.value === "") throw failed(settings, `${secret.from} is empty`);
    return Buffer.from(secret.value);
  }
  let text: string;
  try {
    text = readFileSync(secret.file, "utf8").replace(/\r?\n$/, "");
  } catch (err) {
    const code = (err as { code?: string }).code ?? "unreadable";
    throw failed(settings, `cannot read the key file ${secret.file} (${code})`);
  }
  if (text === "") throw failed(settings, `the key file ${secret.file} is empty`);
  return Buffer.from(text);
}

/** "sha256=HEX" of the body under the key, as GitHub's X-Hub-Signature-256. */
export function signature(key: Buffer, body: Buffer): string {
  const { createHmac } = process.getBuiltinModule("node:crypto");
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

function post(
  settings: NotifySettings,
  agent: http.Agent,
  headers: http.OutgoingHttpHeaders,
  body: Buffer,
  timeoutMs: number,
): Promise<void> {
  const { url } = settings;
  const request =
    url.protocol === "https:" ? process.getBuiltinModule("node:https").request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers });
    const timer = setTimeout(() => {
      req.destroy(failed(settings, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("response", (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      clearTimeout(timer);
      if (status >= 200 && status < 300) resolve();
      else reject(failed(settings, `HTTP ${status}`));
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      if (err instanceof S3KmsEnvError) reject(err);
      else {
        // The code only (ECONNREFUSED, CERT_HAS_EXPIRED, …): a message could quote the URL.
        const code = (err as { code?: unknown }).code;
        reject(failed(settings, typeof code === "string" ? serverText(code) : "network error"));
      }
    });
    req.end(body);
  });
}

/**
 * POSTs the event; resolves once the service answered 2xx, else rejects with
 * NOTIFY_FAILED. `timeoutMs` is the bound left for it (its own, or less when
 * the start's deadline is nearer).
 */
export async function sendEvent(
  settings: NotifySettings,
  event: AuditEvent,
  transport: Pick<ResolvedAws, "caBundle" | "proxyEnv">,
  timeoutMs: number,
): Promise<void> {
  if (timeoutMs <= 0) throw failed(settings, "the start's deadline (--timeout) is spent");
  const key = signingKey(settings);
  const body = Buffer.from(JSON.stringify(event));
  const headers: http.OutgoingHttpHeaders = {
    "content-type": "application/json",
    "content-length": body.length,
    "user-agent": `s3-kms-env/${event.version}`,
    [EVENT_HEADER]: event.event,
    ...(key === undefined ? {} : { [SIGNATURE_HEADER]: signature(key, body) }),
  };
  const agents = await agentsFor(settings.url, transport);
  const agent = settings.url.protocol === "https:" ? agents.httpsAgent : agents.httpAgent;
  try {
    await post(settings, agent, headers, body, timeoutMs);
  } finally {
    key?.fill(0);
    agents.httpAgent.destroy();
    agents.httpsAgent.destroy();
  }
}
