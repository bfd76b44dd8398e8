// @aws-sdk/client-kms as the Encryption SDK's keyrings see it in the sealed
// chunk. The KMS keyring imports the SDK's KMS client at load and keeps its
// `KMS` class for a default client provider that s3-kms-env never uses
// (sealed/keyring.ts passes its own), so opening a sealed file would load the
// whole client (dist/vendor/client-kms.cjs, ~40 ms CPU) for nothing. These
// stand-ins load it only when one of its classes is constructed or tested
// with instanceof (the branch keystore's, which s3-kms-env never calls, are
// listed because esbuild checks every named import). Our own code imports
// the real package, which the build sends to loadVendor() anyway.
import type * as ClientKms from "@aws-sdk/client-kms";
import { loadVendor } from "./lazy-load";

type Exported =
  | "KMS"
  | "KMSClient"
  | "DecryptCommand"
  | "GenerateDataKeyWithoutPlaintextCommand"
  | "ReEncryptCommand";
type Constructor = new (...args: unknown[]) => object;

const real = (name: Exported): Constructor =>
  (loadVendor("client-kms") as typeof ClientKms)[name] as unknown as Constructor;

function lazyClass<K extends Exported>(name: K): (typeof ClientKms)[K] {
  class Lazy {
    static [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof real(name);
    }

    constructor(...args: unknown[]) {
      return new (real(name))(...args);
    }
  }
  return Lazy as unknown as (typeof ClientKms)[K];
}

export const KMS = lazyClass("KMS");
export const KMSClient = lazyClass("KMSClient");
export const DecryptCommand = lazyClass("DecryptCommand");
export const GenerateDataKeyWithoutPlaintextCommand = lazyClass(
  "GenerateDataKeyWithoutPlaintextCommand",
);
export const ReEncryptCommand = lazyClass("ReEncryptCommand");
