// The sealed room as the core and the ops bundle hold it: the Encryption SDK
// (the chunk dist/vendor/sealed.cjs) is loaded on the first sealed message
// met or sealed, never before, and shared by the run's other messages (one
// KMS call each). Decrypt is the core's lean one (aws/kms-decrypt.ts); the
// SDK's KMS client is loaded only to seal.
import { S3KmsEnvError } from "../errors";
import type { KmsAccess } from "../aws/kms-key";
import { leanKms } from "../aws/kms-decrypt";
import { expectedContext, type Context } from "./context";
import type { Trust } from "./keyring";
import type { SealedKms, Unsealed } from "./index";

/** A sealed body's KMS key and its encryption context beyond what s3-kms-env sets. */
export interface SealAs {
  readonly keyId: string;
  readonly context: Context;
}

export interface SealedOptions {
  /** --context's pairs, which every message is bound to. */
  readonly context: Context;
  /** Largest plaintext accepted, in bytes. */
  readonly maxBytes: number;
  /** --discovery-account: trusted instead of the keys a command names. */
  readonly discovery?: Trust | undefined;
}

export interface SealedRoom {
  /**
   * Opens a sealed message bound to `objectUri` (an S3 object), if given,
   * sealed under one of `trustedKeys` (or --discovery-account's accounts).
   */
  open(
    bytes: Buffer,
    where: string,
    objectUri: string | undefined,
    trustedKeys: readonly string[] | undefined,
  ): Promise<Unsealed>;
  /** Seals `plaintext` as `as` says, for the S3 object `objectUri`: base64 text. */
  seal(plaintext: Uint8Array, as: SealAs, objectUri: string): Promise<Buffer>;
  /** The KMS keys a sealed message's data keys are wrapped under (read from its header). */
  sealedUnder(bytes: Buffer, where: string): Promise<string[]>;
  /** Closes the KMS client's connections, if one was made. */
  destroy(): void;
}

function untrusted(where: string): S3KmsEnvError {
  return new S3KmsEnvError(
    "SEALED_KEY_NOT_TRUSTED",
    `${where} is sealed, and no key is trusted to have sealed it; name it with --kms-key-id (or S3_KMS_ENV_KMS_KEY_ID), or give --discovery-account`,
  );
}

export function sealedRoom(options: SealedOptions, kmsAccess: KmsAccess): SealedRoom {
  let kms: SealedKms | undefined;
  const load = async () => {
    const room = await import("./index");
    kms ??= room.sealedKms(kmsAccess, leanKms(kmsAccess));
    return { room, kms };
  };
  return {
    async open(bytes, where, objectUri, trustedKeys) {
      const trust: Trust | undefined =
        options.discovery ??
        (trustedKeys?.length ? { kind: "keys", specs: trustedKeys } : undefined);
      if (trust === undefined) throw untrusted(where);
      const { room, kms } = await load();
      const context = expectedContext(objectUri, options.context);
      return room.unsealBytes(bytes, { where, trust, context, maxBytes: options.maxBytes }, kms);
    },
    async seal(plaintext, { keyId, context: extra }, objectUri) {
      const { room, kms } = await load();
      const context = expectedContext(objectUri, extra);
      const text = await room.sealText(plaintext, { where: objectUri, keyId, context }, kms);
      return Buffer.from(text);
    },
    async sealedUnder(bytes, where) {
      const room = await import("./index");
      return room.sealedUnder(bytes, where);
    },
    destroy() {
      kms?.destroy();
    },
  };
}
