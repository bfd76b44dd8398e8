// An HTTP CONNECT proxy on 127.0.0.1 that records every tunnel asked of it;
// with `answer: false` it accepts the CONNECT and never answers (a stalled
// corporate proxy), with `status` it answers every CONNECT with that status
// and no tunnel (a proxy's rule, or a gateway that cannot reach the target);
// with `certificates` it is an https:// proxy (TLS from the client to it).
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import type { Certificates } from "./tls-proxy";

export interface ConnectProxy {
  readonly url: string;
  /** host:port of every CONNECT asked, answered or not. */
  readonly tunnels: string[];
  close(): Promise<void>;
}

export interface ConnectProxyOptions {
  readonly answer?: boolean;
  readonly status?: number;
  readonly certificates?: Certificates;
}

export async function startConnectProxy({
  answer = true,
  status,
  certificates,
}: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const refuse = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(405).end();
  };
  const server = certificates
    ? https.createServer({ key: certificates.key, cert: certificates.cert }, refuse)
    : http.createServer(refuse);
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? "";
    tunnels.push(target);
    sockets.add(client);
    client.on("error", () => {});
    if (!answer) return;
    if (status !== undefined) {
      client.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ""}\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    const [host = "", port = ""] = target.split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${certificates ? "https" : "http"}://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        // Tunnels are not the server's connections any more: end them too.
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
