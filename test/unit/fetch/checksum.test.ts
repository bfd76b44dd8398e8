import { verifyChecksum } from "../../../src/fetch/checksum";
import { parseS3Uri } from "../../../src/s3/location";

const loc = parseS3Uri("s3://bucket/app.env");
// The standard check value: CRC32("123456789") = 0xCBF43926.
const BODY = Buffer.from("123456789");
const CRC32 = Buffer.from([0xcb, 0xf4, 0x39, 0x26]).toString("base64");

describe("verifyChecksum", () => {
  test("a body matching its stored CRC32 passes and names crc32 as verified", async () => {
    await expect(verifyChecksum(BODY, { "x-amz-checksum-crc32": CRC32 }, loc)).resolves.toBe(
      "crc32",
    );
  });

  test("a body whose CRC32 differs fails with INTEGRITY, naming the algorithm only", async () => {
    await expect(
      verifyChecksum(Buffer.from("123456780"), { "x-amz-checksum-crc32": CRC32 }, loc),
    ).rejects.toMatchObject({
      code: "INTEGRITY",
      message:
        "s3://bucket/app.env: the body does not match its stored CRC32 checksum; the object was corrupted in transit",
    });
  });

  // Each of the two skips on its own: a value that does not match the body,
  // so the test fails if the skip it is about is removed.
  test("a checksum of type COMPOSITE (multipart) is skipped", async () => {
    const headers = { "x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-type": "COMPOSITE" };
    await expect(verifyChecksum(BODY, headers, loc)).resolves.toBeUndefined();
  });

  test("a checksum with a part count suffix (-N) is skipped, even without its type", async () => {
    const headers = { "x-amz-checksum-crc32": "AAAAAA==-3" };
    await expect(verifyChecksum(BODY, headers, loc)).resolves.toBeUndefined();
  });

  test("without a stored checksum nothing is verified", async () => {
    await expect(verifyChecksum(BODY, {}, loc)).resolves.toBeUndefined();
  });
});
