import { parseS3Uri, splitUriList } from "../../../src/s3/location";

describe("parseS3Uri", () => {
  test("splits bucket and key", () => {
    expect(parseS3Uri("s3://tw-snacks/dev/env")).toEqual({
      bucket: "tw-snacks",
      key: "dev/env",
      versionId: undefined,
      uri: "s3://tw-snacks/dev/env",
    });
  });

  test("reads a versionId", () => {
    expect(parseS3Uri("s3://b-1/k?versionId=abc").versionId).toBe("abc");
  });

  test("decodes %-escapes in the key", () => {
    expect(parseS3Uri("s3://bkt/a%3Fb").key).toBe("a?b");
  });

  test("accepts a bucket name with dots", () => {
    expect(parseS3Uri("s3://my.bucket.name/k").bucket).toBe("my.bucket.name");
  });

  test.each([
    ["https://b/k", "expected s3://bucket/key"],
    ["s3://bucket", "the object key is missing"],
    ["s3://bucket/", "the object key is missing"],
    ["s3://Bad_Bucket/k", "the bucket name is not a valid S3 bucket name"],
    ["s3://bkt/k?version=1", 'unknown query parameter "version"'],
    ["s3://bkt/k?versionId=", "versionId is empty"],
    ["s3://bkt/k?versionId=A&versionId=B", 'query parameter "versionId" is given more than once'],
    ["s3://bkt/k?versionId=A&x=1", 'unknown query parameter "x"'],
    ["s3://bkt/%zz", "the object key has a malformed %-escape"],
  ])("rejects %s", (uri, why) => {
    expect(() => parseS3Uri(uri)).toThrow(`invalid source ${JSON.stringify(uri)}: ${why}`);
  });
});

describe("splitUriList", () => {
  test("splits on commas and white space", () => {
    expect(splitUriList(" s3://a/1, s3://a/2\n s3://a/3 ")).toEqual([
      "s3://a/1",
      "s3://a/2",
      "s3://a/3",
    ]);
  });
});
