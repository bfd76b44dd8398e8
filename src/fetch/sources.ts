// Fetch, verify and parse every source, concurrently; the result keeps the
// sources' order so later ones override earlier ones.
import { parseEnvFile } from "../envfile/parse";
import type { Layer } from "../policy/policy";
import { getObject, type S3GetConfig } from "./s3-get";
import type { S3Location } from "../s3/location";
import { verifyEncryption, type EncryptionPolicy } from "../s3/encryption";

export interface LoadedSource extends Layer {
  readonly versionId: string | undefined;
  readonly kmsKeyArn: string | undefined;
  readonly serverSideEncryption: string | undefined;
  readonly etag: string | undefined;
  readonly duplicates: readonly string[];
  readonly literal: ReadonlySet<string>;
}

export async function loadSource(
  loc: S3Location,
  s3: S3GetConfig,
  encryption: EncryptionPolicy,
): Promise<LoadedSource> {
  const obj = await getObject(loc, s3);
  verifyEncryption(loc, obj, encryption);
  const parsed = parseEnvFile(obj.body, loc.uri, s3.maxBytes);
  obj.body.fill(0);
  return {
    source: loc.uri,
    vars: parsed.vars,
    duplicates: parsed.duplicates,
    literal: parsed.literal,
    versionId: obj.versionId,
    kmsKeyArn: obj.kmsKeyArn,
    serverSideEncryption: obj.serverSideEncryption,
    etag: obj.etag,
  };
}

export function loadSources(
  locations: readonly S3Location[],
  s3: S3GetConfig,
  encryption: EncryptionPolicy,
): Promise<LoadedSource[]> {
  return Promise.all(locations.map((loc) => loadSource(loc, s3, encryption)));
}
