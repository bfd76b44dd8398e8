// An HTTP proxy in front of moto that injects the failures moto cannot
// produce (KMS refusals behind S3, throttling, stalls, resets), so the client
// code under test handles AWS's real wire answers.
import { randomBytes } from "node:crypto";
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { finished } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** A ready-made HTTP answer. */
export interface CannedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export type FaultAction =
  | CannedResponse
  /** Forward, but only after a pause. */
  | { readonly delayMs: number; readonly thenForward: true }
  /** Accept the request and never answer (until the proxy closes). */
  | { readonly stall: true }
  /** Reset the connection (TCP RST): the client sees ECONNRESET. */
  | { readonly destroy: true };

export interface RuleMatch {
  /** 's3', 'kms', 'sts', … (see SeenRequest.service). */
  readonly service?: string;
  readonly method?: string;
  /** Compared with the raw request target, query string included. */
  readonly pathPrefix?: string;
  /** X-Amz-Target of JSON protocols, e.g. 'TrentService.Decrypt'. */
  readonly target?: string;
}

export interface FaultRule {
  readonly match: RuleMatch;
  /** How many requests the rule applies to; default: all. */
  readonly times?: number;
  /** The share (0–1) of matching requests it takes, picked at random; default: every one. */
  readonly fraction?: number;
  readonly respond: FaultAction;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** From X-Amz-Target or the SigV4 credential scope; 'unknown' when unsigned. */
  readonly service: string;
  readonly target: string | undefined;
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Every request received, in arrival order, whether a rule took it or not. */
  readonly requests: SeenRequest[];
  /** Rules are tried in the order added; the first live match wins. */
  addRule(rule: FaultRule): void;
  clearRules(): void;
  /** Closes the listener and every connection, stalled ones included. */
  close(): Promise<void>;
}

// JSON-protocol services name themselves in X-Amz-Target's prefix.
const TARGET_SERVICES: Readonly<Record<string, string>> = {
  TrentService: "kms",
  AWSSecurityTokenServiceV20110615: "sts",
};

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** 'AKID/20261123/us-east-1/s3/aws4_request' → 's3' */
function scopeService(credential: string | undefined | null): string | undefined {
  return credential?.split("/")[3];
}

function serviceOf(req: IncomingMessage, target: string | undefined): string {
  const fromTarget = target === undefined ? undefined : TARGET_SERVICES[target.split(".")[0] ?? ""];
  const authorization = headerValue(req.headers, "authorization");
  const fromHeader = scopeService(/Credential=([^,\s]+)/.exec(authorization ?? "")?.[1]);
  // Presigned URLs carry the scope in the query string instead.
  const fromQuery = scopeService(
    new URL(req.url ?? "/", "http://proxy").searchParams.get("X-Amz-Credential"),
  );
  return fromTarget ?? fromHeader ?? fromQuery ?? "unknown";
}

function seenRequest(req: IncomingMessage): SeenRequest {
  const target = headerValue(req.headers, "x-amz-target");
  return {
    method: req.method ?? "GET",
    path: req.url ?? "/",
    service: serviceOf(req, target),
    target,
  };
}

function matches(match: RuleMatch, seen: SeenRequest): boolean {
  return (
    (match.service === undefined || match.service === seen.service) &&
    (match.method === undefined || match.method.toUpperCase() === seen.method) &&
    (match.pathPrefix === undefined || seen.path.startsWith(match.pathPrefix)) &&
    (match.target === undefined || match.target === seen.target)
  );
}

interface LiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

function takeRule(rules: LiveRule[], seen: SeenRequest): FaultAction | undefined {
  const live = rules.find(
    (r) =>
      r.remaining > 0 &&
      matches(r.rule.match, seen) &&
      (r.rule.fraction === undefined || Math.random() < r.rule.fraction),
  );
  if (!live) return undefined;
  live.remaining -= 1;
  return live.rule.respond;
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL, agent: http.Agent): void {
  // Headers go through untouched, Host included: with IAM enforcement moto
  // checks SigV4 signatures, and the Host header is part of what was signed.
  const upstream = http.request({
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: req.rawHeaders,
    agent,
  });
  upstream.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
    answer.pipe(res);
  });
  upstream.on("error", () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502).end();
  });
  req.pipe(upstream);
}

async function respondCanned(
  req: IncomingMessage,
  res: ServerResponse,
  canned: CannedResponse,
): Promise<void> {
  // Read the request body first, so a client still sending it sees our answer, not EPIPE.
  req.resume();
  await finished(req);
  res.writeHead(canned.status, canned.headers).end(canned.body);
}

/** Starts the proxy on 127.0.0.1 (free port) in front of targetUrl. */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true });
  const closing = new AbortController();
  const rules: LiveRule[] = [];
  const requests: SeenRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seen = seenRequest(req);
    requests.push(seen);
    const action = takeRule(rules, seen);
    if (action === undefined) return forward(req, res, target, agent);
    if ("stall" in action) return;
    if ("destroy" in action) return void req.socket.resetAndDestroy();
    if ("delayMs" in action) {
      await sleep(action.delayMs, undefined, { signal: closing.signal });
      return forward(req, res, target, agent);
    }
    return respondCanned(req, res, action);
  }

  const server = http.createServer((req, res) => {
    // Errors here are aborted clients or a closing proxy: the request is over either way.
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addRule: (rule) => void rules.push({ rule, remaining: rule.times ?? Infinity }),
    clearRules: () => void rules.splice(0),
    close: async () => {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

// --- AWS's error answers ---------------------------------------------------

/** The caller named in the canned "not authorized" messages unless a test names another. */
export const EXAMPLE_PRINCIPAL = "arn:aws:iam::123456789012:user/app";

function requestId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An S3 REST-XML error answer as S3 sends it. */
export function s3Error(status: number, code: string, message: string): CannedResponse {
  const id = requestId();
  const hostId = randomBytes(48).toString("base64");
  return {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": id, "x-amz-id-2": hostId },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
      `<RequestId>${id}</RequestId><HostId>${hostId}</HostId></Error>`,
  };
}

function notAuthorized(action: string, resource: string, principal: string): string {
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}

/** S3's answer to a GET of an SSE-KMS object when the caller lacks kms:Decrypt on its key. */
export function s3KmsAccessDenied(keyArn: string, principal = EXAMPLE_PRINCIPAL): CannedResponse {
  return s3Error(403, "AccessDenied", notAuthorized("kms:Decrypt", keyArn, principal));
}

/** S3's own refusal (bucket policy, missing s3:GetObject). */
export function s3AccessDenied(): CannedResponse {
  return s3Error(403, "AccessDenied", "Access Denied");
}

/** S3's answer when the object's KMS key is disabled. */
export function s3KmsDisabled(keyArn: string): CannedResponse {
  return s3Error(400, "KMS.DisabledException", `${keyArn} is disabled.`);
}

export function s3SlowDown(): CannedResponse {
  return s3Error(503, "SlowDown", "Please reduce your request rate.");
}

export function s3InternalError(): CannedResponse {
  return s3Error(500, "InternalError", "We encountered an internal error. Please try again.");
}

/** A KMS (AWS JSON 1.1) error answer as KMS sends it. */
export function kmsError(status: number, type: string, message: string): CannedResponse {
  return {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-ErrorType": type,
      "x-amzn-RequestId": requestId(),
    },
    body: JSON.stringify({ __type: type, message }),
  };
}

export function kmsAccessDenied(
  keyArn: string,
  action = "kms:Decrypt",
  principal = EXAMPLE_PRINCIPAL,
): CannedResponse {
  return kmsError(400, "AccessDeniedException", notAuthorized(action, keyArn, principal));
}

export function kmsDisabled(keyArn: string): CannedResponse {
  return kmsError(400, "DisabledException", `${keyArn} is disabled.`);
}

export function kmsThrottling(): CannedResponse {
  return kmsError(
    400,
    "ThrottlingException",
    "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
  );
}
