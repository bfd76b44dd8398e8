// Opening a sealed env file. What the header says is checked before KMS is
// asked: the algorithm suite (committing only), the encryption context (the
// message belongs here) and the wrapped keys (one of them is trusted). Then
// one KMS Decrypt, and the SDK checks the header's authentication tag, every
// frame's tag and the signature before any plaintext is returned.
import { buildDecrypt } from "@aws-crypto/decrypt-node";
import { CommitmentPolicy, NodeAlgorithmSuite } from "@aws-crypto/material-management-node";
import { deserializeFactory, type HeaderInfo } from "@aws-crypto/serialize";
import { beforeDeadline } from "../deadline";
import { S3KmsEnvError } from "../errors";
import { checkContext, userContext, type Context } from "./context";
import { messageBytes, sealedForm } from "./format";
import { decryptKeyring, keyArns, partitionOf, trustedDataKeys, type Trust } from "./keyring";
import { kmsFailure, type SealedKms } from "./kms";

/**
 * More wrapped keys than this and the message is refused unread: each would
 * be a KMS call (AWS's advice for untrusted input). s3-kms-env seals under one.
 */
const MAX_DATA_KEYS = 8;

const { decrypt } = buildDecrypt({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: MAX_DATA_KEYS,
});
const { deserializeMessageHeader } = deserializeFactory(
  (bytes) => Buffer.from(bytes).toString("utf8"),
  NodeAlgorithmSuite,
);

export interface UnsealRequest {
  /** For messages: the file, stdin or the s3:// URI. */
  readonly where: string;
  readonly trust: Trust;
  /** What the message's context must contain (context.ts). */
  readonly context: Context;
  /** Largest plaintext accepted, in bytes. */
  readonly maxBytes: number;
}

function corrupt(where: string, what: string): S3KmsEnvError {
  return new S3KmsEnvError(
    "SEALED_CORRUPT",
    `${where} is not an intact sealed env file (${what}); it was damaged or tampered with: restore it from its source`,
  );
}

function notSealed(where: string): S3KmsEnvError {
  return new S3KmsEnvError(
    "NOT_SEALED",
    `${where} is not a sealed env file (no AWS Encryption SDK message header); seal it with "s3-kms-env seal"`,
  );
}

function readHeader(where: string, message: Buffer): HeaderInfo {
  let header: HeaderInfo | false;
  try {
    header = deserializeMessageHeader(message, { maxEncryptedDataKeys: MAX_DATA_KEYS });
  } catch {
    throw corrupt(where, "its header cannot be read");
  }
  if (header === false) throw corrupt(where, "its header is cut short");
  const suite = header.algorithmSuite;
  const id = `0x${suite.id.toString(16).padStart(4, "0")}`;
  // Without key commitment one message can decrypt to two plaintexts under two data keys.
  if (suite.commitment !== "KEY") {
    throw new S3KmsEnvError(
      "SEALED_CORRUPT",
      `${where} is sealed with an algorithm suite without key commitment (${id}); refused: seal it again with s3-kms-env (or aws-encryption-cli 2 or later with its default commitment policy)`,
    );
  }
  // Without a signature, anyone who may decrypt a message (kms:Decrypt) or
  // encrypt under the key could have written it: only the signed suite
  // tells that whoever sealed it held the sealing rights.
  if (suite.signatureCurve === undefined) {
    throw new S3KmsEnvError(
      "SEALED_CORRUPT",
      `${where} is sealed with an algorithm suite without a signature (${id}); refused: anyone who can decrypt it could have written it. Seal it again with s3-kms-env (or aws-encryption-cli with its default algorithm)`,
    );
  }
  return header;
}

/** The KMS keys a sealed message's data keys are wrapped under, from its header alone. */
export function sealedUnder(bytes: Buffer, where: string): string[] {
  const form = sealedForm(bytes);
  if (form === undefined) throw notSealed(where);
  const { messageHeader } = readHeader(where, messageBytes(bytes, form));
  return messageHeader.encryptedDataKeys
    .filter((k) => k.providerId === "aws-kms")
    .map((k) => k.providerInfo);
}

export interface Unsealed {
  /** The caller zeroes it. */
  readonly plaintext: Buffer;
  /** The trusted KMS key that wrapped the data key. */
  readonly keyArn: string;
  /** The message's context beyond what s3-kms-env and the SDK set: kept when it is sealed again. */
  readonly context: Context;
}

/** The plaintext of a sealed file. */
export async function unsealBytes(
  bytes: Buffer,
  request: UnsealRequest,
  kms: SealedKms,
): Promise<Unsealed> {
  const { where } = request;
  const form = sealedForm(bytes);
  if (form === undefined) throw notSealed(where);
  const message = messageBytes(bytes, form);
  const { messageHeader } = readHeader(where, message);
  checkContext(where, messageHeader.encryptionContext, request.context);
  const arns = request.trust.kind === "keys" ? await keyArns(request.trust.specs, kms) : [];
  const partition = partitionOf(kms.access.region);
  const [trusted] = trustedDataKeys(
    where,
    messageHeader.encryptedDataKeys,
    request.trust,
    arns,
    partition,
  );
  const calls = kms.calls();
  const keyring = decryptKeyring(request.trust, arns, partition, calls);
  const { signal, timeoutMs } = kms.access.deadline;
  try {
    const { plaintext } = await beforeDeadline(
      decrypt(keyring, message, { maxBodySize: request.maxBytes }),
      signal,
      () =>
        new S3KmsEnvError(
          "TIMEOUT",
          `${where}: unsealing did not finish within ${timeoutMs} ms; raise --timeout`,
        ),
    );
    return {
      plaintext,
      keyArn: trusted?.providerInfo ?? "",
      context: userContext(messageHeader.encryptionContext),
    };
  } catch (err) {
    if (err instanceof S3KmsEnvError) throw err;
    const failure = calls.failure();
    // KMS refusing the wrapped key as ciphertext: the header was altered.
    if (
      failure === undefined ||
      (failure as { name?: string }).name === "InvalidCiphertextException"
    ) {
      throw corrupt(where, "a check of the header, body, authentication tag or signature failed");
    }
    throw kmsFailure(failure, where, "kms:Decrypt", trusted?.providerInfo ?? "its key");
  }
}
