// Which keys may open a sealed message. Strict by default: only the KMS keys
// the user named (as key ARNs, which is how the message records them), so a
// message wrapped under anyone else's key is refused before KMS is asked.
// Discovery (any key the message names) only when asked, and then only keys
// of the named accounts in this region's partition.
import { KmsKeyringNode } from "@aws-crypto/kms-keyring-node";
import type { EncryptedDataKey } from "@aws-crypto/material-management-node";
import { describeKey, RESOLVE } from "../aws/kms-key";
import { S3KmsEnvError } from "../errors";
import { serverText } from "../log";
import type { KmsCalls, SealedKms } from "./kms";

export type Trust =
  | { readonly kind: "keys"; readonly specs: readonly string[] }
  | { readonly kind: "discovery"; readonly accountIds: readonly string[] };

/** arn:PARTITION:kms:REGION:ACCOUNT:key/ID */
const KEY_ARN = /^arn:([^:]+):kms:[^:]*:(\d{12}):key\/.+$/;

/** The partition of a region: aws-cn for cn-*, aws-us-gov for us-gov-*, aws otherwise. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** Key ids and aliases become ARNs (one DescribeKey each, once per run); ARNs need no call. */
export async function keyArns(specs: readonly string[], kms: SealedKms): Promise<string[]> {
  return Promise.all(
    specs.map((spec) => {
      if (KEY_ARN.test(spec)) return Promise.resolve(spec);
      const arn =
        kms.arns.get(spec) ?? describeKey(spec, kms.access, RESOLVE).then((key) => key.arn);
      kms.arns.set(spec, arn);
      return arn;
    }),
  );
}

const KMS_PROVIDER = "aws-kms";

/** A wrapped key as named in messages: a KMS key's ARN in full, anything else bounded. */
function shownKey(key: EncryptedDataKey): string {
  if (
    key.providerId === KMS_PROVIDER &&
    KEY_ARN.test(key.providerInfo) &&
    /^[\x21-\x7e]{1,256}$/.test(key.providerInfo)
  ) {
    return key.providerInfo;
  }
  return `${serverText(key.providerId)} ${serverText(key.providerInfo)}`;
}

function describeTrust(trust: Trust, arns: readonly string[]): string {
  return trust.kind === "keys"
    ? `trusted: ${arns.join(", ")}`
    : `trusted accounts: ${trust.accountIds.join(", ")}`;
}

/**
 * The data keys of the message that the trust allows, refusing the message
 * when there are none (a key nobody named, or not a KMS key at all).
 */
export function trustedDataKeys(
  where: string,
  keys: readonly EncryptedDataKey[],
  trust: Trust,
  arns: readonly string[],
  partition: string,
): EncryptedDataKey[] {
  const allowed = keys.filter((k) => {
    if (k.providerId !== KMS_PROVIDER) return false;
    if (trust.kind === "keys") return arns.includes(k.providerInfo);
    const m = KEY_ARN.exec(k.providerInfo);
    return m !== null && m[1] === partition && trust.accountIds.includes(m[2] ?? "");
  });
  if (allowed.length > 0) return allowed;
  const sealedWith = keys.map(shownKey).join(", ");
  throw new S3KmsEnvError(
    "SEALED_KEY_NOT_TRUSTED",
    `${where} is sealed with ${sealedWith || "no key"}, not a trusted key (${describeTrust(trust, arns)}); ` +
      `refusing to open it. Name its key with --kms-key-id only if you know who can seal with it`,
  );
}

/** The keyring that opens a message: strict over `arns`, or discovery with its filter. */
export function decryptKeyring(
  trust: Trust,
  arns: readonly string[],
  partition: string,
  calls: KmsCalls,
): KmsKeyringNode {
  const clientProvider = () => calls.client;
  return trust.kind === "keys"
    ? new KmsKeyringNode({ clientProvider, keyIds: [...arns] })
    : new KmsKeyringNode({
        clientProvider,
        discovery: true,
        discoveryFilter: { accountIDs: [...trust.accountIds], partition },
      });
}

/** The keyring that seals under one key. */
export function encryptKeyring(keyArn: string, calls: KmsCalls): KmsKeyringNode {
  return new KmsKeyringNode({ clientProvider: () => calls.client, generatorKeyId: keyArn });
}
