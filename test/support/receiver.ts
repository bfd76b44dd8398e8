// The ops service of --notify, on 127.0.0.1: records every request (method,
// path, headers, raw body) and answers what the test says: a status, or
// nothing at all (a stalled service). Plain http, or https with a leaf of
// tls-proxy.ts's private CA.
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { Certificates } from "./tls-proxy";

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as sent, byte for byte (as a string: the signature is over these bytes). */
  readonly body: string;
}

/** A status to answer, or "stall": read the request and never answer. */
export type Answer = number | "stall";

export interface Receiver {
  /** http(s)://127.0.0.1:PORT */
  readonly url: string;
  readonly received: Received[];
  /** What the next requests get (default 204); `onRequest` runs as each arrives. */
  answer: Answer;
  onRequest: (request: Received) => void;
  close(): Promise<void>;
}

export async function startReceiver(certificates?: Certificates): Promise<Receiver> {
  const receiver = {
    received: [] as Received[],
    answer: 204 as Answer,
    onRequest: (_request: Received): void => {},
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      receiver.received.push(request);
      receiver.onRequest(request);
      if (receiver.answer !== "stall") res.writeHead(receiver.answer).end();
    });
  };
  const server =
    certificates === undefined
      ? http.createServer(handle)
      : https.createServer({ key: certificates.key, cert: certificates.cert }, handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `${certificates === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
