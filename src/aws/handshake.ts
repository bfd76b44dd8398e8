// A TLS handshake bound of its own. The HTTP handler's connection timeout ends
// when the request gets its socket: at the TCP connect for a direct
// connection, once the proxy has answered CONNECT for a tunnel. Either way a
// server that accepts the connection and never finishes the handshake would
// hold the attempt until --timeout; this fails the socket as ETIMEDOUT
// instead, which the retry strategy takes as transient, leaving a second
// attempt its chance.
import type { TLSSocket } from "node:tls";

/** The handshake's bound in ms, asked when the handshake starts (it may shrink with the deadline). */
export type HandshakeBound = () => number;

export function boundHandshake<S extends TLSSocket>(socket: S, bound: HandshakeBound): S {
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const handshakeMs = bound();
    timer = setTimeout(() => {
      // Timers run before I/O in an event-loop turn: a start that was
      // starved of CPU (a node starting many containers) may have the
      // server's whole answer waiting. Judge after that I/O has run (an
      // immediate that is not unref'd: the loop must not block on a stalled socket).
      setImmediate(() => {
        if (settled || socket.destroyed) return;
        const error = new Error(`no TLS session within ${handshakeMs} ms`);
        socket.destroy(Object.assign(error, { code: "ETIMEDOUT" }));
      });
    }, handshakeMs);
    timer.unref();
  };
  // From the TCP connect on (the handler bounds the connect itself).
  if (socket.connecting) socket.once("connect", arm);
  else arm();
  const done = (): void => {
    settled = true;
    clearTimeout(timer);
  };
  socket.once("secureConnect", done);
  socket.once("close", done);
  return socket;
}
