import { partitionOf, trustedDataKeys, type Trust } from "../../../src/sealed/keyring";

const KEY_A = "arn:aws:kms:us-east-1:111122223333:key/aaaa";
const KEY_B = "arn:aws:kms:us-east-1:444455556666:key/bbbb";
const KEY_CN = "arn:aws-cn:kms:cn-north-1:111122223333:key/cccc";

const wrapped = (providerInfo: string, providerId = "aws-kms") => ({
  providerId,
  providerInfo,
  encryptedDataKey: new Uint8Array(1),
});

describe("partitionOf: the partition discovery keys must be in", () => {
  test.each([
    ["us-east-1", "aws"],
    ["eu-west-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
  ])("%s is in %s", (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe("trustedDataKeys: the wrapped keys a reader may ask KMS to unwrap", () => {
  const strict: Trust = { kind: "keys", specs: [KEY_A] };

  test("strict: only those under a named key ARN", () => {
    expect(trustedDataKeys("f", [wrapped(KEY_B), wrapped(KEY_A)], strict, [KEY_A], "aws")).toEqual([
      wrapped(KEY_A),
    ]);
  });

  test("strict: none trusted names the key the file was sealed under", () => {
    expect(() => trustedDataKeys("f", [wrapped(KEY_B)], strict, [KEY_A], "aws")).toThrow(
      expect.objectContaining({
        code: "SEALED_KEY_NOT_TRUSTED",
        message: `f is sealed with ${KEY_B}, not a trusted key (trusted: ${KEY_A}); refusing to open it. Name its key with --kms-key-id only if you know who can seal with it`,
      }) as Error,
    );
  });

  test("a wrapped key of another provider is never trusted, and is named bounded", () => {
    expect(() =>
      trustedDataKeys("f", [wrapped("raw\nkey", "raw-aes")], strict, [KEY_A], "aws"),
    ).toThrow("f is sealed with raw-aes raw?key, not a trusted key");
  });

  test("discovery: any key of a named account in the partition", () => {
    const discovery: Trust = { kind: "discovery", accountIds: ["111122223333"] };
    const keys = [wrapped(KEY_B), wrapped(KEY_CN), wrapped(KEY_A)];
    expect(trustedDataKeys("f", keys, discovery, [], "aws")).toEqual([wrapped(KEY_A)]);
    expect(trustedDataKeys("f", keys, discovery, [], "aws-cn")).toEqual([wrapped(KEY_CN)]);
  });
});
