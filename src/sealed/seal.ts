// Sealing: one Encryption SDK message under one KMS key, with the default
// suite for a committing policy (AES-256-GCM, HKDF-SHA512 key commitment,
// ECDSA P-384 signature: only a holder of kms:GenerateDataKey on the key can
// produce a message that verifies, and a decrypt-only reader cannot forge
// one). One KMS GenerateDataKey per seal.
import { buildEncrypt } from "@aws-crypto/encrypt-node";
import { CommitmentPolicy } from "@aws-crypto/material-management-node";
import { beforeDeadline } from "../deadline";
import { S3KmsEnvError } from "../errors";
import type { Context } from "./context";
import { encodeMessage } from "./format";
import { encryptKeyring } from "./keyring";
import { kmsFailure, type SealedKms } from "./kms";

const { encrypt } = buildEncrypt(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

export interface SealRequest {
  /** For messages: the file, stdin or the s3:// URI. */
  readonly where: string;
  /** The key to seal under, as a key ARN, id or alias. */
  readonly keyId: string;
  readonly context: Context;
}

/** The sealed text (base64, newline-terminated) of `plaintext`. */
export async function sealText(
  plaintext: Uint8Array,
  request: SealRequest,
  kms: SealedKms,
): Promise<string> {
  const { signal, timeoutMs } = kms.access.deadline;
  const calls = kms.calls();
  try {
    const { result } = await beforeDeadline(
      encrypt(encryptKeyring(request.keyId, calls), plaintext, {
        encryptionContext: { ...request.context },
      }),
      signal,
      () =>
        new S3KmsEnvError(
          "TIMEOUT",
          `${request.where}: sealing did not finish within ${timeoutMs} ms; raise --timeout`,
        ),
    );
    return encodeMessage(result);
  } catch (err) {
    throw kmsFailure(calls.failure() ?? err, request.where, "kms:GenerateDataKey", request.keyId);
  }
}
