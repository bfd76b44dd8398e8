// The Encryption SDK's decompression of a signed message's public key (the
// ECDSA P-384 point that a committing signed suite keeps, compressed, in the
// message's encryption context), done by OpenSSL through node:crypto instead
// of the SDK's bn.js arithmetic: ~10 ms of pure-JS bignum math on every
// sealed start, against well under a millisecond. The build puts this module
// in the place of @aws-crypto/material-management's ecc_decode.js in the
// sealed chunk (scripts/build-contract.mjs, PROJECT_CHUNKS.sealed); same
// export, same results (test/unit/sealed/ecc-decode.test.ts compares them).
import { ECDH } from "node:crypto";

type Decode = (compressedPoint: Uint8Array) => Uint8Array;

function decoder(curve: string, compressedLength: number): Decode {
  return (compressedPoint) => {
    // The SDK's own precondition, with its message.
    if (compressedPoint.byteLength !== compressedLength) {
      throw new Error("Compressed point length is not correct.");
    }
    const point = ECDH.convertKey(compressedPoint, curve, undefined, undefined, "uncompressed");
    const out = typeof point === "string" ? Buffer.from(point, "latin1") : point;
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
}

const prime256v1 = decoder("prime256v1", 33);
const secp384r1 = decoder("secp384r1", 49);

export const decodeNamedCurves = Object.freeze({
  prime256v1,
  secp384r1,
  "P-256": prime256v1,
  "P-384": secp384r1,
});
