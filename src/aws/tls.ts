// AWS_CA_BUNDLE and a profile's ca_bundle, which the AWS CLI and boto3 read
// and the JS SDK does not: the PEM file is read once and given to the https
// agent as `ca`, which replaces Node's bundled roots for these connections,
// as the CLI's bundle replaces certifi's. (NODE_EXTRA_CA_CERTS adds to them
// instead, for every connection of the process.)
import { readFileSync } from "node:fs";
import { S3KmsEnvError } from "../errors";
import type { ResolvedAws } from "./resolve";

const cache = new Map<string, Buffer>();

/** The CA certificates to trust, or undefined for Node's own. */
export function caBundle(settings: Pick<ResolvedAws, "caBundle">): Buffer | undefined {
  const bundle = settings.caBundle;
  if (!bundle) return undefined;
  let pem = cache.get(bundle.value);
  if (!pem) {
    try {
      pem = readFileSync(bundle.value);
    } catch (err) {
      const code = (err as { code?: string }).code ?? "unreadable";
      throw new S3KmsEnvError(
        "AWS_CONFIG",
        `cannot read the CA bundle ${bundle.value} from ${bundle.source} (${code})`,
      );
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new S3KmsEnvError(
        "AWS_CONFIG",
        `the CA bundle ${bundle.value} from ${bundle.source} holds no PEM certificate`,
      );
    }
    cache.set(bundle.value, pem);
  }
  return pem;
}
