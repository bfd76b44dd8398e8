// exec's KMS Decrypt on the wire (src/aws/kms-decrypt.ts), against a local
// HTTP server that answers as KMS does: what the request carries, how the
// answer's Plaintext comes back, and how an error answer is named (the
// header AWS sends, else the body's __type), which sealed/kms.ts classifies.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { credentialSource } from "../../../src/aws/config";
import { leanKms } from "../../../src/aws/kms-decrypt";
import type { KmsAccess } from "../../../src/aws/kms-key";
import { resolveAwsSettings } from "../../../src/aws/resolve";
import { startDeadline } from "../../../src/deadline";

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

interface Seen {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

let server: http.Server;
let answer: Answer;
let seen: Seen[];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      seen.push({ headers: req.headers, body });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
});

const KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

async function decrypt(timeoutMs = 2000) {
  const env = {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDUNIT",
    AWS_SECRET_ACCESS_KEY: "s",
  };
  const { port } = server.address() as AddressInfo;
  const access: KmsAccess = {
    region: "eu-west-1",
    endpoint: new URL(`http://127.0.0.1:${port}`),
    aws: await resolveAwsSettings({ ...env, HOME: "/nonexistent" }),
    credentials: credentialSource(env),
    deadline: startDeadline(timeoutMs),
  };
  const kms = leanKms(access);
  try {
    return await kms.decrypt({
      KeyId: KEY,
      CiphertextBlob: new Uint8Array([1, 2, 3, 250]),
      EncryptionContext: { purpose: "s3-kms-env" },
      GrantTokens: ["grant-1"],
    });
  } finally {
    kms.destroy();
  }
}

function nameOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (err: unknown) => (err as Error).name,
  );
}

test("the request: a signed JSON 1.1 POST of TrentService.Decrypt with the keyring's fields", async () => {
  answer = { status: 200, body: JSON.stringify({ KeyId: KEY, Plaintext: "AAEC" }) };
  await decrypt();
  expect(seen).toHaveLength(1);
  const [{ headers, body }] = seen as [Seen];
  expect({
    target: headers["x-amz-target"],
    type: headers["content-type"],
    scope: /Credential=AKIDUNIT\/\d{8}\/([^,]+),/.exec(headers.authorization ?? "")?.[1],
  }).toEqual({
    target: "TrentService.Decrypt",
    type: "application/x-amz-json-1.1",
    scope: "eu-west-1/kms/aws4_request",
  });
  expect(body).toEqual({
    CiphertextBlob: "AQID+g==",
    EncryptionContext: { purpose: "s3-kms-env" },
    GrantTokens: ["grant-1"],
    KeyId: KEY,
  });
});

test("the answer: KeyId, and Plaintext decoded from base64 into bytes", async () => {
  answer = {
    status: 200,
    body: JSON.stringify({
      KeyId: KEY,
      Plaintext: "AAEC",
      EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
    }),
  };
  const out = await decrypt();
  expect({ ...out, Plaintext: Array.from(out.Plaintext ?? []) }).toEqual({
    KeyId: KEY,
    Plaintext: [0, 1, 2],
    EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
  });
});

test.each([
  [
    "the header as AWS sends it, with its namespace URL",
    {
      "x-amzn-errortype":
        "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/",
    },
    "{}",
    "AccessDeniedException",
  ],
  [
    "the body's __type with a namespace",
    {},
    '{"__type":"com.amazonaws.kms#DisabledException","message":"x"}',
    "DisabledException",
  ],
  [
    "the body's plain __type",
    {},
    '{"__type":"NotFoundException","message":"x"}',
    "NotFoundException",
  ],
  ["nothing readable: the status", {}, "<html>denied</html>", "HTTP 403"],
])("an error named by %s, not retried", async (_what, headers, body, name) => {
  answer = { status: 403, headers, body };
  expect(await nameOf(decrypt())).toBe(name);
  expect(seen).toHaveLength(1);
});

test("an answer that is not JSON is refused as malformed", async () => {
  answer = { status: 200, body: "not json" };
  expect(await nameOf(decrypt())).toBe("MalformedResponse");
});

test("throttling until the deadline: the last failure stands, after several attempts", async () => {
  answer = {
    status: 400,
    headers: { "x-amzn-errortype": "ThrottlingException" },
    body: '{"__type":"ThrottlingException","message":"Rate exceeded"}',
  };
  expect(await nameOf(decrypt(1000))).toBe("ThrottlingException");
  expect(seen.length).toBeGreaterThan(1);
});
