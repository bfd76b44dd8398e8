// For scripts/demo.sh: a KMS key with an alias and a versioned bucket in the
// local moto. Prints nothing but errors.
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";

const [bucket, alias] = process.argv.slice(2);
const kms = new KMSClient({});
const s3 = new S3Client({ forcePathStyle: true });
const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "s3-kms-env demo" }));
await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata.KeyId }));
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
await s3.send(
  new PutBucketVersioningCommand({
    Bucket: bucket,
    VersioningConfiguration: { Status: "Enabled" },
  }),
);
