// HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and their lower-case forms, which win,
// as in curl and the AWS CLI's urllib). Which proxy a URL takes is decided
// here, purely; the proxy agent (https-proxy-agent, a build vendor file) is
// loaded only when a proxy applies, so a start without one never compiles it.
import type { Agent, ClientRequest } from "node:http";
import type { Socket } from "node:net";
import type { AgentConnectOpts } from "agent-base";
import type { PeerCertificate, SecureContextOptions } from "node:tls";
import { S3KmsEnvError } from "../errors";
import { serverText } from "../log";
import { boundHandshake, type HandshakeBound } from "./handshake";
import { certificateRefusal } from "./tls";

type Env = Readonly<Record<string, string | undefined>>;

/** The variable's name as set (lower case first) and its value, if set. */
function variable(env: Env, name: string): { name: string; value: string } | undefined {
  for (const candidate of [name.toLowerCase(), name]) {
    const value = env[candidate];
    if (value) return { name: candidate, value };
  }
  return undefined;
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
    return undefined;
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inCidr(host: string, entry: string): boolean {
  const [base = "", bits = ""] = entry.split("/");
  const ip = ipv4(host);
  const net = ipv4(base);
  const prefix = Number(bits);
  if (ip === undefined || net === undefined || !/^\d+$/.test(bits) || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(ip / size) === Math.floor(net / size);
}

/** Whether NO_PROXY exempts the URL: `*`, a host or domain (leading dot optional), host:port, an IPv4 CIDR. */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .filter((e) => e !== "")
    .some((raw) => {
      const entry = raw.toLowerCase();
      if (entry === "*") return true;
      if (entry.includes("/")) return inCidr(host, entry);
      const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\]$/g, ""));
      const name = (m?.[1] ?? "").replace(/^\*?\./, "");
      if (m?.[2] !== undefined && m[2] !== port) return false;
      return name !== "" && (host === name || host.endsWith(`.${name}`));
    });
}

/**
 * The proxy URL a request to `target` goes through, or undefined for a
 * direct connection. A proxy setting that cannot be used is an error, as in
 * the AWS CLI, not a silent direct connection past the proxy. Its value is
 * never repeated: it may hold the proxy's password.
 */
export function proxyFor(target: URL, env: Env): URL | undefined {
  const set = variable(env, target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY");
  if (!set || bypassesProxy(target, variable(env, "NO_PROXY")?.value)) return undefined;
  let proxy: URL;
  try {
    // "proxy:3128" without a scheme, as curl accepts it.
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(set.value) ? set.value : `http://${set.value}`);
  } catch {
    throw new S3KmsEnvError(
      "AWS_CONFIG",
      `${set.name} is not a proxy URL; give it as http://HOST:PORT (or unset it)`,
    );
  }
  if (proxy.protocol !== "http:" && proxy.protocol !== "https:") {
    throw new S3KmsEnvError(
      "AWS_CONFIG",
      `${set.name} names a ${serverText(proxy.protocol.slice(0, -1))}:// proxy; only http:// and https:// proxies are supported`,
    );
  }
  return proxy;
}

/** The proxy as it can be shown: scheme, host and port, never its user or password. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * The proxy's answer to CONNECT when it is not 200, as our error: its own
 * code, so that a proxy's 403 is never read as S3 denying access. A gateway
 * answer (5xx: the proxy could not reach the target) is PROXY_ERROR, worth
 * another attempt; anything else is the proxy's rule (PROXY_REFUSED).
 */
export function proxyRefusal(proxy: URL, target: URL, status: number): S3KmsEnvError {
  const label = proxyLabel(proxy);
  const tunnel = `${target.hostname}:${target.port || (target.protocol === "https:" ? "443" : "80")}`;
  const variable = target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY";
  if (status >= 500) {
    return new S3KmsEnvError(
      "PROXY_ERROR",
      `the proxy ${label} could not open a tunnel to ${tunnel} (HTTP ${status}); check that the proxy can reach it`,
    );
  }
  if (status === 407) {
    const fix =
      proxy.username === ""
        ? `give them in ${variable} as ${proxy.protocol}//USER:PASSWORD@${proxy.host}`
        : `it refused those in ${variable}`;
    return new S3KmsEnvError(
      "PROXY_REFUSED",
      `the proxy ${label} asks for credentials (HTTP 407); ${fix}`,
    );
  }
  return new S3KmsEnvError(
    "PROXY_REFUSED",
    `the proxy ${label} refused a tunnel to ${tunnel} (HTTP ${status}); check the proxy's rules, or exempt the host with NO_PROXY`,
  );
}

/**
 * An agent that tunnels through the proxy with CONNECT (for http and https
 * targets alike), then does TLS to the target itself with `tls` (the CA
 * bundle, if any): the proxy never sees the request. With `handshakeBound`,
 * that handshake is bounded once the tunnel stands.
 */
export async function proxyAgent(
  proxy: URL,
  tls: Pick<SecureContextOptions, "ca">,
  keepAlive: boolean,
  handshakeBound?: HandshakeBound,
): Promise<Agent> {
  const { HttpsProxyAgent } = await import("https-proxy-agent");
  // The agent's own options configure the connection to the proxy; the TLS
  // connection to the target inside the tunnel takes the request's options,
  // to which the CA bundle is added here.
  class TunnelAgent extends HttpsProxyAgent<string> {
    override async connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
      let status = 0;
      req.once("proxyConnect", (answer: { statusCode: number }) => (status = answer.statusCode));
      // The agent drops `host` before its TLS upgrade, so Node would check the
      // certificate against "localhost": check it against the real target.
      const host = opts.host ?? "";
      const { checkServerIdentity, TLSSocket } = process.getBuiltinModule("node:tls");
      let socket: Socket;
      try {
        socket = await super.connect(
          req,
          opts.secureEndpoint
            ? {
                ...opts,
                ...tls,
                checkServerIdentity: (_name: string, cert: PeerCertificate) =>
                  checkServerIdentity(host, cert),
              }
            : opts,
        );
      } catch (err) {
        // Before the tunnel stands, a refused certificate is the proxy's own.
        const code = (err as { code?: string }).code;
        const label = proxyLabel(proxy);
        throw (
          (proxy.protocol === "https:" && certificateRefusal(code, `proxy ${label}`, proxy.host)) ||
          err
        );
      }
      // A refused CONNECT comes back as a plain socket replaying the proxy's
      // answer, which would then read as S3's.
      if (status !== 200) {
        socket.destroy();
        const scheme = opts.secureEndpoint ? "https" : "http";
        throw proxyRefusal(proxy, new URL(`${scheme}://${host}:${opts.port}`), status);
      }
      return handshakeBound !== undefined && socket instanceof TLSSocket
        ? boundHandshake(socket, handshakeBound)
        : socket;
    }
  }
  // An https:// proxy is trusted through the same CA bundle as the endpoint:
  // behind a TLS-inspecting proxy, that bundle holds the corporate roots.
  return new TunnelAgent(proxy, { keepAlive, ...(proxy.protocol === "https:" ? tls : {}) });
}
