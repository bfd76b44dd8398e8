// Check the body against the full-object checksum S3 stored with it, when S3
// returns one (objects uploaded with a checksum; asked for with
// x-amz-checksum-mode). Composite (multipart) checksums cannot be checked
// from the whole body and are skipped.
import type { Checksum, HeaderBag } from "@smithy/types";
import { S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";

type Algorithm = "crc64nvme" | "crc32" | "crc32c" | "sha256" | "sha1";
const ALGORITHMS: readonly Algorithm[] = ["crc64nvme", "crc32", "crc32c", "sha256", "sha1"];

/**
 * CRC32, the common case, from node:zlib (native; loaded on first use). Not
 * @smithy/core's Crc32Js: its per-byte JS loop ran long enough for V8 to
 * hand it to TurboFan in about half of the starts, and TurboFan's own code
 * then added ~5 MiB to the peak RSS. Not its Crc32Node
 * either: that one imports Crc32Js as a fallback, table and all.
 */
function nativeCrc32(): Checksum {
  const { crc32 } = process.getBuiltinModule("node:zlib");
  let value = 0;
  return {
    update(chunk) {
      value = crc32(chunk, value);
    },
    digest() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return Promise.resolve(out);
    },
    reset() {
      value = 0;
    },
  };
}

async function hasherFor(algorithm: Algorithm): Promise<Checksum> {
  switch (algorithm) {
    case "crc64nvme":
      return new (await import("@aws-sdk/checksums/crc")).Crc64Nvme();
    case "crc32":
      return nativeCrc32();
    case "crc32c":
      return new (await import("@aws-sdk/checksums/crc")).Crc32c();
    case "sha256":
      return new (await import("@aws-sdk/checksums/sha")).Sha256();
    case "sha1":
      return new (await import("@aws-sdk/checksums/sha")).Sha1();
  }
}

/** Returns the algorithm that was verified, or undefined when there was none to check. */
export async function verifyChecksum(
  body: Buffer,
  headers: HeaderBag,
  loc: S3Location,
): Promise<string | undefined> {
  if (headers["x-amz-checksum-type"] === "COMPOSITE") return undefined;
  for (const algorithm of ALGORITHMS) {
    const expected = headers[`x-amz-checksum-${algorithm}`];
    if (expected === undefined || expected.includes("-")) continue;
    const hasher = await hasherFor(algorithm);
    hasher.update(body);
    const actual = Buffer.from(await hasher.digest()).toString("base64");
    if (actual !== expected) {
      throw new S3KmsEnvError(
        "INTEGRITY",
        `${loc.uri}: the body does not match its stored ${algorithm.toUpperCase()} checksum; the object was corrupted in transit`,
      );
    }
    return algorithm;
  }
  return undefined;
}
