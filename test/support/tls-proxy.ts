// An https endpoint on 127.0.0.1 in front of moto (or the bench's counting
// proxy), with a private CA made by openssl for the run: a root and a leaf
// for IP:127.0.0.1, both RSA-2048 as S3's chain is. The CLI trusts the root
// through NODE_EXTRA_CA_CERTS (Go through SSL_CERT_FILE, the AWS CLI through
// AWS_CA_BUNDLE), so the TLS path of the S3 client is exercised for real.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TlsProxy {
  readonly url: string;
  /** PEM file of the private root CA, for NODE_EXTRA_CA_CERTS / SSL_CERT_FILE. */
  readonly caFile: string;
  /** TLS connections accepted so far. */
  connections(): number;
  /** TCP connections accepted so far, whether or not their handshake succeeded. */
  attempts(): number;
  close(): Promise<void>;
}

export interface Certificates {
  readonly dir: string;
  readonly caFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "ignore" });
}

/** A private root CA and a leaf it signed for 127.0.0.1, RSA-2048, in a fresh directory. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-tls-"));
  const days = ["-days", "2"];
  openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", ...days, "-keyout", "ca.key"]
      .concat(["-out", "ca.pem", "-subj", "/CN=s3-kms-env test root"])
      .concat(["-addext", "basicConstraints=critical,CA:TRUE"])
      .concat(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
    dir,
  );
  openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr"].concat([
      "-subj",
      "/CN=127.0.0.1",
    ]),
    dir,
  );
  writeFileSync(
    path.join(dir, "leaf.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n" +
      "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
    ].concat(["-out", "leaf.pem", ...days, "-sha256", "-extfile", "leaf.ext"]),
    dir,
  );
  return {
    dir,
    caFile: path.join(dir, "ca.pem"),
    key: readFileSync(path.join(dir, "leaf.key")),
    cert: readFileSync(path.join(dir, "leaf.pem")),
  };
}

/** Terminates TLS on 127.0.0.1 and forwards each request over plain http to `target`. */
export async function startTlsProxy(
  target: string,
  certificates: Certificates = makeCertificates(),
): Promise<TlsProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  let connections = 0;
  const server = https.createServer(
    { key: certificates.key, cert: certificates.cert },
    (req, res) => {
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      req.pipe(forward);
    },
  );
  let attempts = 0;
  server.on("secureConnection", () => connections++);
  server.on("connection", () => attempts++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: certificates.caFile,
    connections: () => connections,
    attempts: () => attempts,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => {
          rmSync(certificates.dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

export interface StallingServer {
  /** https://127.0.0.1:PORT: the client speaks TLS to it. */
  readonly url: string;
  /** TCP connections accepted so far, stalled or passed on. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Accepts TCP on 127.0.0.1 and never answers the ClientHello of its first
 * `stall` connections (Infinity: of all of them); later connections are
 * passed through, byte for byte, to `tlsUrl` (a TLS terminator), after
 * `delayMs` (a slow server that does answer).
 */
export async function startStallingServer(
  stall: number,
  tlsUrl?: string,
  delayMs = 0,
): Promise<StallingServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const target = tlsUrl === undefined ? undefined : new URL(tlsUrl);
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (connections <= stall || target === undefined) return; // read nothing, answer nothing
    setTimeout(() => {
      if (socket.destroyed) return;
      const onward = net.connect(Number(target.port), target.hostname);
      sockets.add(onward);
      onward.on("close", () => sockets.delete(onward));
      onward.on("error", () => socket.destroy());
      socket.pipe(onward).pipe(socket);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
