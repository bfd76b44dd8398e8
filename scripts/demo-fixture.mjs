// For scripts/demo.sh: a KMS key and a bucket in the local moto, and
// examples/demo.env uploaded under that key with SSE-KMS.
import { readFileSync } from "node:fs";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

const [bucket, key, file] = process.argv.slice(2);
const kms = new KMSClient({});
const s3 = new S3Client({ forcePathStyle: true });
const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "s3-kms-env demo" }));
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
await s3.send(
  new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: readFileSync(file),
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: KeyMetadata.Arn,
  }),
);
console.log(`uploaded ${file} to s3://${bucket}/${key} under ${KeyMetadata.Arn}`);
