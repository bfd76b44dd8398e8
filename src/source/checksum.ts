// Check the body against the full-object checksum S3 stored with it, when S3
// returns one (objects uploaded with a checksum; asked for with
// x-amz-checksum-mode). Composite (multipart) checksums cannot be checked
// from the whole body and are skipped.
import { Crc32Js } from "@smithy/core/checksum";
import type { Checksum, HeaderBag } from "@smithy/types";
import { SourceError } from "../errors";
import type { S3Location } from "./uri";

type Algorithm = "crc64nvme" | "crc32" | "crc32c" | "sha256" | "sha1";
const ALGORITHMS: readonly Algorithm[] = ["crc64nvme", "crc32", "crc32c", "sha256", "sha1"];

async function hasherFor(algorithm: Algorithm): Promise<Checksum> {
  switch (algorithm) {
    case "crc64nvme":
      return new (await import("@aws-sdk/checksums/crc")).Crc64Nvme();
    case "crc32":
      // The JS table version: node:zlib's crc32 would cost ~5 ms to load for a few KiB.
      return new Crc32Js();
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
      throw new SourceError(
        "INTEGRITY",
        `${loc.uri}: the body does not match its stored ${algorithm.toUpperCase()} checksum; the object was corrupted in transit`,
      );
    }
    return algorithm;
  }
  return undefined;
}
