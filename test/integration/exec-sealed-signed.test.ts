// exec's own KMS Decrypt (src/aws/kms-decrypt.ts) against a moto that checks
// every request's SigV4 signature and the signer's IAM policy: a sealed
// start by a user with exactly exec's least-privilege policy
// (test/fixtures/iam/exec-key-arn.json) works, so the request is signed as
// KMS expects and a sealed source needs no permission beyond a plain one.
import { TestAws } from "../support/aws";
import { ADMIN_POLICY, credentialEnv, IamMoto, loadPolicy, type Credentials } from "../support/iam";
import { PRINT_ENV, ScratchDir, canary, childEnv, runExec } from "../support/exec";
import { runCli } from "../support/run-cli";

/** The bucket the fixture's policy names. */
const BUCKET = "s3-kms-env-iam";
const secret = canary("SIGNED");

let moto: IamMoto;
let adminUser: Credentials;
let reader: Credentials;
let key: { keyId: string; arn: string };
let scratch: ScratchDir;

beforeAll(async () => {
  moto = await IamMoto.start();
  adminUser = await moto.user(ADMIN_POLICY);
  reader = await moto.user(loadPolicy("exec-key-arn"));
  await moto.enforce();
  const admin = new TestAws({ endpoint: moto.url, credentials: adminUser });
  await admin.createBucket(BUCKET, { versioning: true });
  key = await admin.createKmsKey({ description: "signed decrypt" });
  scratch = new ScratchDir();
});
afterAll(async () => {
  scratch.remove();
  await moto.stop();
});

test("a sealed start signed as exec's least-privilege user: moto verifies the Decrypt and the app starts", async () => {
  const uri = `s3://${BUCKET}/sealed.env`;
  const file = scratch.file("app.env", `APP_SECRET=${secret}\n`, 0o600);
  const put = await runCli(["put", "-q", "--client-side", "--kms-key-id", key.arn, file, uri], {
    endpoint: moto.url,
    env: credentialEnv(adminUser),
  });
  expect(put.exitCode).toBe(0);
  const result = await runExec({
    flags: ["--kms-key-id", key.arn],
    sources: [uri],
    command: PRINT_ENV,
    endpoint: moto.url,
    env: credentialEnv(reader),
  });
  expect(childEnv(result).APP_SECRET).toBe(secret);
});
