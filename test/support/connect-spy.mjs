// Preloaded into the CLI under test with NODE_OPTIONS="--import <this file>":
// appends every outgoing TCP connection and every DNS lookup the process
// makes to the file named by CONNECT_SPY_LOG, one JSON object per line, so a
// test can prove that no request left for the instance metadata service or
// any other address.
import dns from "node:dns";
import { appendFileSync } from "node:fs";
import net from "node:net";

const log = process.env.CONNECT_SPY_LOG;

function record(entry) {
  if (log) appendFileSync(log, JSON.stringify(entry) + "\n");
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.createConnection hands over its normalized [options, callback] array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options =
    typeof first === "object" && first !== null ? first : { port: first, host: args[1] };
  record(
    typeof options.path === "string"
      ? { connect: options.path }
      : { connect: `${options.host ?? "localhost"}:${options.port}` },
  );
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  record({ lookup: hostname });
  return lookup.call(this, hostname, ...rest);
};
