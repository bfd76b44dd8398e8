// The connection agents for one endpoint, with the CA bundle and proxy of
// the resolved settings. node:https (TLS, ~5 ms) is loaded only for an https
// endpoint and the proxy agent only when a proxy applies; the plain http
// agent costs nothing (node:http is loaded already).
import * as http from "node:http";
import type * as https from "node:https";
import { proxyAgent, proxyFor, proxyLabel } from "./proxy";
import type { ResolvedAws } from "./resolve";
import { caBundle } from "./tls";

export interface Agents {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  /** "http://proxy:3128" when requests go through a proxy (no credentials), for --debug. */
  readonly proxy: string | undefined;
}

/** A stand-in the handler never sends through: the endpoint is http. */
const unusedHttps = { destroy() {} } as unknown as https.Agent;

export async function agentsFor(
  target: URL,
  settings: Pick<ResolvedAws, "caBundle" | "proxyEnv">,
): Promise<Agents> {
  const secure = target.protocol === "https:";
  const ca = secure ? caBundle(settings) : undefined;
  const tls = ca ? { ca } : {};
  const proxy = proxyFor(target, settings.proxyEnv);
  if (proxy) {
    const agent = await proxyAgent(proxy, tls, true);
    return {
      httpAgent: agent,
      httpsAgent: agent as unknown as https.Agent,
      proxy: proxyLabel(proxy),
    };
  }
  return {
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: secure
      ? new (process.getBuiltinModule("node:https").Agent)({ keepAlive: true, ...tls })
      : unusedHttps,
    proxy: undefined,
  };
}
