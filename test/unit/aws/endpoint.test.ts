// AWS's published S3 endpoint test cases (the S3 service model's
// smithy.rules#endpointTests, from which the SDKs generate their endpoint
// provider tests), as a checked-in fixture: test/fixtures/s3-endpoint-tests.json
// holds every case that applies to a plain bucket (see its `source` and
// `filter`). Each must give the expected URL and signing region, or the
// expected error, through src/aws/endpoint.ts.
import fixture from "../../fixtures/s3-endpoint-tests.json";
import { partition } from "@aws-sdk/core/client";
import { partitionOf, resolveS3Endpoint, type S3EndpointParams } from "../../../src/aws/endpoint";

interface Case {
  readonly documentation: string;
  readonly params: Record<string, string | boolean>;
  readonly url?: string;
  readonly signingRegion?: string;
  readonly error?: string;
}

const cases = fixture.testCases as Case[];

test("the fixture holds the plain-bucket cases", () => {
  expect(cases.length).toBe(83);
});

test.each(cases.map((c, i) => [i, c.documentation, c] as const))("case %i: %s", (_i, _doc, c) => {
  const params = { Bucket: "", ...c.params } as unknown as S3EndpointParams;
  if (c.error !== undefined) {
    expect(() => resolveS3Endpoint(params)).toThrow(c.error);
  } else {
    expect(resolveS3Endpoint(params)).toMatchObject({
      url: c.url,
      signingRegion: c.signingRegion,
    });
  }
});

test("our partition table matches the SDK's partition()", () => {
  const regions = [
    "us-east-1",
    "eu-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "aws-global",
    "aws-cn-global",
    "aws-us-gov-global",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
    "eusc-de-east-1",
    "mx-central-1",
    "il-central-1",
    "xx-unknown-9",
    "snow",
    "aws-iso-global",
    "aws-iso-b-global",
  ];
  for (const region of regions) {
    const theirs = partition(region);
    const ours = partitionOf(region);
    expect({ region, name: ours.id, dnsSuffix: ours.dnsSuffix, fips: ours.supportsFIPS }).toEqual({
      region,
      name: theirs.name,
      dnsSuffix: theirs.dnsSuffix,
      fips: theirs.supportsFIPS,
    });
  }
});
