// The connection agents for one endpoint, with the CA bundle and proxy of
// the resolved settings. node:https (TLS, ~5 ms) is loaded only for an https
// endpoint and the proxy agent only when a proxy applies; the plain http
// agent costs nothing (node:http is loaded already).
import * as http from "node:http";
import type * as https from "node:https";
import type { TLSSocket } from "node:tls";
import { boundHandshake, type HandshakeBound } from "./handshake";
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

/**
 * With `handshakeBound`, every TLS handshake to the target, direct or through
 * a proxy's tunnel, is bounded by it (aws/handshake.ts).
 */
export async function agentsFor(
  target: URL,
  settings: Pick<ResolvedAws, "caBundle" | "proxyEnv">,
  handshakeBound?: HandshakeBound,
): Promise<Agents> {
  const secure = target.protocol === "https:";
  const ca = secure ? caBundle(settings) : undefined;
  const tls = ca ? { ca } : {};
  const proxy = proxyFor(target, settings.proxyEnv);
  if (proxy) {
    const agent = await proxyAgent(proxy, tls, true, handshakeBound);
    return {
      httpAgent: agent,
      httpsAgent: agent as unknown as https.Agent,
      proxy: proxyLabel(proxy),
    };
  }
  return {
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: secure ? httpsAgent(tls, handshakeBound) : unusedHttps,
    proxy: undefined,
  };
}

function httpsAgent(tls: { ca?: Buffer }, handshakeBound: HandshakeBound | undefined): https.Agent {
  const agent = new (process.getBuiltinModule("node:https").Agent)({ keepAlive: true, ...tls });
  if (handshakeBound === undefined) return agent;
  type CreateConnection = (this: https.Agent, ...args: unknown[]) => TLSSocket;
  const createConnection = (agent as unknown as { createConnection: CreateConnection })
    .createConnection;
  return Object.assign(agent, {
    createConnection(this: https.Agent, ...args: unknown[]) {
      return boundHandshake(createConnection.apply(this, args), handshakeBound);
    },
  });
}
