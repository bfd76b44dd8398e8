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

// OpenSSL's verification failures as Node names them, and the host-name check.
// A certificate that is refused stays refused: these are never worth another
// attempt, and "cannot reach" would send people to look at the network.
const EXPIRY = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);
const NOT_FOR_HOST = new Set(["ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH"]);
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
  "CERT_CHAIN_TOO_LONG",
]);

/**
 * A TLS certificate refusal (by its error code) as TLS_CERTIFICATE, with
 * what to do about it; undefined for any other failure. `subject` names the
 * request ("s3://b/k") and `host` the server whose certificate it was.
 */
export function certificateRefusal(
  code: string | undefined,
  subject: string,
  host: string,
): S3KmsEnvError | undefined {
  if (code === undefined) return undefined;
  const fix = EXPIRY.has(code)
    ? "check the server's certificate and this machine's clock"
    : NOT_FOR_HOST.has(code)
      ? "it was issued for another host name: check the endpoint"
      : UNTRUSTED.has(code)
        ? "give the CA that issued it in AWS_CA_BUNDLE (or a profile's ca_bundle, or NODE_EXTRA_CA_CERTS)"
        : undefined;
  if (fix === undefined) return undefined;
  return new S3KmsEnvError(
    "TLS_CERTIFICATE",
    `${subject}: the TLS certificate of ${host} was refused (${code}); ${fix}`,
  );
}
