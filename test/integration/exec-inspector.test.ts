// SIGUSR1 makes a Node process open its inspector on 127.0.0.1:9229, through
// which anything on the host could read the secrets s3-kms-env holds while it
// fetches. s3-kms-env must take that signal instead.
import { setTimeout as sleep } from "node:timers/promises";
import { TestAws, uniqueBucket } from "../support/aws";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { motoUrl } from "../support/moto";
import { startCli } from "../support/run-cli";

const aws = new TestAws();
const bucket = uniqueBucket("inspector");
let proxy: FaultProxy;

beforeAll(async () => {
  await aws.createBucket(bucket);
  const key = await aws.createKmsKey({ description: "inspector" });
  await aws.putEnvObject(bucket, "app.env", "A=1\n", { sse: "aws:kms", kmsKeyId: key.arn });
  proxy = await startFaultProxy(motoUrl());
  proxy.addRule({ match: { service: "s3" }, respond: { stall: true } });
});

afterAll(async () => {
  aws.destroy();
  await proxy.close();
});

test("SIGUSR1 during the fetch does not open Node's inspector", async () => {
  const { child, result } = startCli(
    ["exec", "--timeout", "2s", `s3://${bucket}/app.env`, "--", "/bin/true"],
    { endpoint: proxy.url },
  );
  // Wait until the fetch is under way (the request reaches the stalling proxy).
  while (proxy.requests.length === 0) await sleep(20);
  child.kill("SIGUSR1");
  const { exitCode, stderr } = await result;
  expect(stderr).not.toContain("Debugger listening");
  expect(exitCode).toBe(125);
  expect(stderr).toContain("(code=TIMEOUT)");
});
