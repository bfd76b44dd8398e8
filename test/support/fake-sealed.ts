// An in-memory stand-in for the sealed room (src/sealed/lazy.ts), for the
// ops unit tests: a "sealed" body starts with a real message header (so
// sealedForm detects it) followed by JSON naming the key, the object and the
// plaintext. No KMS, no cryptography: what it checks is that the ops layer
// opens what it reads and seals what it writes, under the right key, for the
// right object.
import { S3KmsEnvError } from "../../src/errors";
import type { Context } from "../../src/sealed/context";
import type { SealAs, SealedRoom } from "../../src/sealed/lazy";

const HEADER = Buffer.from([0x02, 0x05, 0x78]);

interface Fake {
  readonly key: string;
  readonly object: string;
  readonly context: Context;
  readonly text: string;
}

export class FakeSealedRoom implements SealedRoom {
  readonly calls: string[] = [];

  /** A sealed body as put --client-side would store it. */
  static sealedBody(text: string, key: string, object: string, context: Context = {}): Buffer {
    return Buffer.concat([HEADER, Buffer.from(JSON.stringify({ key, object, context, text }))]);
  }

  static read(body: Buffer): Fake {
    return JSON.parse(body.subarray(HEADER.length).toString("utf8")) as Fake;
  }

  /** What a stored version (FakeS3.current) holds, read as a fake sealed body. */
  static stored(version: { readonly body?: Buffer | undefined } | undefined): Fake {
    return FakeSealedRoom.read(version?.body ?? Buffer.alloc(0));
  }

  open(
    bytes: Buffer,
    where: string,
    objectUri: string | undefined,
    trustedKeys: readonly string[] | undefined,
  ): Promise<{ plaintext: Buffer; keyArn: string; context: Context }> {
    this.calls.push(`open ${where}`);
    const fake = FakeSealedRoom.read(bytes);
    if (!trustedKeys?.includes(fake.key)) {
      return Promise.reject(new S3KmsEnvError("SEALED_KEY_NOT_TRUSTED", `${where}: ${fake.key}`));
    }
    if (objectUri !== undefined && fake.object !== objectUri) {
      return Promise.reject(
        new S3KmsEnvError("SEALED_CONTEXT_MISMATCH", `${where}: ${fake.object}`),
      );
    }
    return Promise.resolve({
      plaintext: Buffer.from(fake.text),
      keyArn: fake.key,
      context: fake.context,
    });
  }

  seal(plaintext: Uint8Array, as: SealAs, objectUri: string): Promise<Buffer> {
    this.calls.push(`seal ${objectUri}`);
    const text = Buffer.from(plaintext).toString("utf8");
    return Promise.resolve(FakeSealedRoom.sealedBody(text, as.keyId, objectUri, as.context));
  }

  sealedUnder(bytes: Buffer): Promise<string[]> {
    return Promise.resolve([FakeSealedRoom.read(bytes).key]);
  }

  destroy(): void {}
}
