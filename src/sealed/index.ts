// The sealed room's entry: the build makes it a chunk of its own
// (dist/vendor/sealed.cjs) with the Encryption SDK, loaded only when a
// command seals, or exec or an ops command meets a sealed source.
export { sealText, type SealRequest } from "./seal";
export { sealedUnder, unsealBytes, type Unsealed, type UnsealRequest } from "./unseal";
export { sealedKms, type SealedKms } from "./kms";
export type { Trust } from "./keyring";
