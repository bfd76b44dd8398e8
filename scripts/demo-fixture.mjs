// For scripts/demo.sh, against the local moto; idempotent, so the demo runs
// again and again on the same server:
//   node scripts/demo-fixture.mjs env URL            the shell lines that point AWS SDKs at URL
//   node scripts/demo-fixture.mjs setup BUCKET ALIAS  a KMS key behind ALIAS, a versioned BUCKET
//   node scripts/demo-fixture.mjs plant BUCKET KEY    stdin as a plaintext object (no SSE-KMS),
//                                                     as someone with only s3:PutObject could
// Prints nothing but the env lines and errors.
import { readFileSync } from "node:fs";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  KMSClient,
  paginateListAliases,
} from "@aws-sdk/client-kms";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { exportLines } from "./moto.mjs";

const [command, ...args] = process.argv.slice(2);

async function aliasExists(kms, alias) {
  for await (const page of paginateListAliases({ client: kms }, {})) {
    if ((page.Aliases ?? []).some((a) => a.AliasName === alias)) return true;
  }
  return false;
}

async function setup(bucket, alias) {
  const kms = new KMSClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  if (!(await aliasExists(kms, alias))) {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Description: "s3-kms-env demo" }),
    );
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata.KeyId }));
  }
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
}

async function plant(bucket, key) {
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(0) }));
}

const commands = {
  env: async (url) => process.stdout.write(`${exportLines(url)}\n`),
  setup,
  plant,
};
const run = commands[command];
if (run === undefined) {
  process.stderr.write(
    "usage: node scripts/demo-fixture.mjs env URL | setup BUCKET ALIAS | plant BUCKET KEY\n",
  );
  process.exitCode = 2;
} else {
  await run(...args);
}
