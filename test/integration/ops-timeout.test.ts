// --timeout is a deadline for each whole request, not only for a silent
// socket: a server that answers its headers and then trickles the body one
// byte a second (an object, or S3's error body) is cut off with TIMEOUT.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { errorLine } from "../support/ops";
import { runCli, type CliResult } from "../support/run-cli";

interface Trickle {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent at once after the headers; then one more byte every second, never ending. */
  readonly start: string;
}

let server: Server;
let endpoint: string;
let answer: Trickle;
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();

function trickle(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.once("end", () => {
    res.writeHead(answer.status, answer.headers);
    res.write(answer.start);
    const timer = setInterval(() => res.write(" "), 1000);
    timers.add(timer);
    res.once("close", () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
}

beforeAll(async () => {
  server = createServer(trickle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const timer of timers) clearInterval(timer);
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const uri = "s3://slow-bucket/app/prod.env";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";

/** Runs the CLI against the trickling server, bounded well above --timeout. */
async function timed(
  args: readonly string[],
  input?: string,
): Promise<{ result: CliResult; ms: number }> {
  const started = Date.now();
  const result = await runCli(args, { endpoint, timeoutMs: 12_000, ...(input ? { input } : {}) });
  return { result, ms: Date.now() - started };
}

function timeoutLine(action: string): string {
  return errorLine(
    `${uri}: S3 did not finish ${action} within 1000 ms; check the network path or raise --timeout`,
    "TIMEOUT",
  );
}

interface Case {
  readonly answer: Trickle;
  readonly args: readonly string[];
  readonly input?: string;
  /** The request the error line names. */
  readonly action: string;
}

const CASES: Record<string, Case> = {
  "get: an object body trickling in one byte a second": {
    answer: {
      status: 200,
      headers: {
        "content-type": "text/plain",
        "content-length": "1000",
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN,
      },
      start: "A=",
    },
    args: ["get", uri, "--timeout", "1s"],
    action: "GetObject",
  },
  "get: a 403 whose error body never ends": {
    answer: {
      status: 403,
      headers: { "content-type": "application/xml" },
      start: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>',
    },
    args: ["get", uri, "--timeout", "1s"],
    action: "GetObject",
  },
  "put: an answer to the upload that never ends": {
    answer: {
      status: 200,
      headers: { "content-type": "application/xml", etag: '"abc"' },
      start: "<",
    },
    args: ["put", "-", uri, "--kms-key-id", KEY_ARN, "--timeout", "1s", "--allow-unversioned"],
    input: "A=1\n",
    action: "PutObject",
  },
};

describe("--timeout is a deadline for the whole request", () => {
  test.each(Object.entries(CASES))("%s", async (_, { answer: given, args, input, action }) => {
    answer = given;
    const { result, ms } = await timed(args, input);
    expect(result).toMatchObject({
      timedOut: false,
      exitCode: 125,
      stdout: "",
      stderr: timeoutLine(action),
    });
    expect(ms).toBeLessThan(8000);
  });
});
