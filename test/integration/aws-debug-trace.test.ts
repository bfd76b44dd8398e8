// --debug traces the AWS side of a start — settings, endpoint, addressing
// style, region, credential source, each attempt and the retry delay — with
// names and metadata only: canaries planted in the credentials, the session
// token and the env file never show, nor does any Authorization value.
import { s3InternalError, startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { ExecFixture, runViaProxy } from "../support/exec";
import { motoUrl } from "../support/moto";
import { canary } from "../support/ops";
import { expectNoLeak, runCli } from "../support/run-cli";

let fx: ExecFixture;
let proxy: FaultProxy;
const value = canary("value");
const accessKey = canary("akid");
const secretKey = canary("secret");
const sessionToken = canary("token");
const credentials = {
  AWS_ACCESS_KEY_ID: accessKey,
  AWS_SECRET_ACCESS_KEY: secretKey,
  AWS_SESSION_TOKEN: sessionToken,
};

beforeAll(async () => {
  fx = await ExecFixture.create("debug-trace");
  proxy = await startFaultProxy(motoUrl());
});
afterAll(async () => {
  fx.destroy();
  await proxy.close();
});

test("exec --debug: settings, endpoint, credentials, attempts and the retry, no secret", async () => {
  const { result, uri } = await runViaProxy(fx, proxy, `SECRET=${value}\n`, s3InternalError(), {
    times: 1,
    flags: ["--debug"],
    env: credentials,
  });
  expect(result.exitCode).toBe(0);
  const lines = result.stderr.split("\n");
  const line = (event: string) => lines.find((l) => l.startsWith(`s3-kms-env: debug: ${event} (`));
  expect(line("aws settings")).toMatch(
    /region=us-east-1 \(AWS_REGION\).*addressing=auto \(default\).*s3_endpoint=http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL\)/,
  );
  expect(line("s3 request")).toContain(
    `uri=${uri} url=${proxy.url}/${fx.bucket} addressing=path signing_region=us-east-1 proxy=none`,
  );
  expect(line("credentials")).toBe(
    "s3-kms-env: debug: credentials (source=environment (AWS_ACCESS_KEY_ID))",
  );
  expect(lines.filter((l) => l.includes("debug: attempt ("))).toEqual([
    `s3-kms-env: debug: attempt (uri=${uri} attempt=1 result=S3_ERROR)`,
    `s3-kms-env: debug: attempt (uri=${uri} attempt=2 result=ok)`,
  ]);
  expect(line("retry")).toMatch(
    new RegExp(`^s3-kms-env: debug: retry \\(uri=\\S+ attempt=2 delay_ms=\\d+\\)$`),
  );
  expectNoLeak(result, [value, accessKey, secretKey, sessionToken]);
  expect(result.stderr).not.toMatch(/AWS4-HMAC|Signature=|Credential=|x-amz-security-token/i);
});

test("get --debug: the same settings line, no secret", async () => {
  const uri = await fx.put(`SECRET=${value}\n`);
  const result = await runCli(["get", "--debug", uri], { env: credentials });
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toMatch(
    /^s3-kms-env: debug: aws settings \(.*region=us-east-1 \(AWS_REGION\)/m,
  );
  expectNoLeak(result, [value, accessKey, secretKey, sessionToken]);
  expect(result.stderr).not.toMatch(/AWS4-HMAC|Signature=|Credential=|x-amz-security-token/i);
});
