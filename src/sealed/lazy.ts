// The sealed room as the core and the ops bundle hold it: the Encryption SDK
// and its KMS client (the chunk dist/vendor/sealed.cjs) are loaded on the
// first sealed message met or sealed, never before, and shared by the run's
// other messages (one KMS call each).
import { S3KmsEnvError } from "../errors";
import type { KmsAccess } from "../aws/kms-key";
import { expectedContext, type Context } from "./context";
import type { Trust } from "./keyring";
import type { SealedKms, Unsealed } from "./index";

export interface SealedOptions {
  /** Who may have sealed a message; undefined: nobody was named (--insecure-any-kms-key). */
  readonly trust: Trust | undefined;
  /** --context's pairs, which every message is bound to. */
  readonly context: Context;
  /** Largest plaintext accepted, in bytes. */
  readonly maxBytes: number;
}

export interface SealedRoom {
  /** Opens a sealed message; `objectUri` is the S3 object it must be bound to, if any. */
  open(bytes: Buffer, where: string, objectUri: string | undefined): Promise<Unsealed>;
  /** Seals `plaintext` under `keyId` for the S3 object `objectUri`: base64 text. */
  seal(plaintext: Uint8Array, keyId: string, objectUri: string): Promise<Buffer>;
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
  let kms: Promise<SealedKms> | undefined;
  const load = async () => {
    const room = await import("./index");
    kms ??= room.sealedKms(kmsAccess);
    return { room, kms: await kms };
  };
  return {
    async open(bytes, where, objectUri) {
      const { trust, maxBytes } = options;
      if (trust === undefined) throw untrusted(where);
      const { room, kms } = await load();
      const context = expectedContext(objectUri, options.context);
      return room.unsealBytes(bytes, { where, trust, context, maxBytes }, kms);
    },
    async seal(plaintext, keyId, objectUri) {
      const { room, kms } = await load();
      const context = expectedContext(objectUri, options.context);
      const text = await room.sealText(plaintext, { where: objectUri, keyId, context }, kms);
      return Buffer.from(text);
    },
    destroy() {
      void kms?.then(
        (k) => k.destroy(),
        () => undefined,
      );
    },
  };
}
