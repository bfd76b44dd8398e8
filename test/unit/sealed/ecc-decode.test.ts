// Our decompression of a message's ECDSA public key (src/sealed/ecc-decode.ts,
// which the build puts in the Encryption SDK's place) must give exactly what
// the SDK's own bn.js version gives, for fresh keys on both curves the SDK
// signs with, and refuse what the SDK refuses.
import { createECDH } from "node:crypto";
import { decodeNamedCurves as sdk } from "@aws-crypto/material-management/build/main/src/ecc_decode";
import { decodeNamedCurves as ours } from "../../../src/sealed/ecc-decode";

const CURVES = ["prime256v1", "secp384r1", "P-256", "P-384"] as const;
const OPENSSL_NAME = {
  prime256v1: "prime256v1",
  secp384r1: "secp384r1",
  "P-256": "prime256v1",
  "P-384": "secp384r1",
};

test.each(CURVES)(
  "%s: 20 fresh public keys decompress to the SDK's result, the uncompressed key",
  (curve) => {
    for (let i = 0; i < 20; i++) {
      const ecdh = createECDH(OPENSSL_NAME[curve]);
      ecdh.generateKeys();
      const compressed = new Uint8Array(ecdh.getPublicKey(null, "compressed"));
      const expected = Array.from(ecdh.getPublicKey(null, "uncompressed"));
      expect([Array.from(ours[curve](compressed)), Array.from(sdk[curve](compressed))]).toEqual([
        expected,
        expected,
      ]);
    }
  },
);

test("a point of the wrong length is refused with the SDK's message", () => {
  const short = new Uint8Array(48).fill(2);
  expect(() => ours["P-384"](short)).toThrow("Compressed point length is not correct.");
  expect(() => sdk["P-384"](short)).toThrow("Compressed point length is not correct.");
});
