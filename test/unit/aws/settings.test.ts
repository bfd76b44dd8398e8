// Which keys a command trusts and writes with (src/aws/settings.ts), from the
// key lists as the command line gives them (cli/options.ts keySpecs).
import { readerKeySpecs, writeKeySpec, writerKeySpecs } from "../../../src/aws/settings";
import { keySpecs } from "../../../src/cli/options";

describe("key lists", () => {
  const K1 = "arn:aws:kms:us-east-1:123456789012:key/k1";
  const K2 = "arn:aws:kms:us-east-1:123456789012:key/k2";
  const K3 = "arn:aws:kms:us-east-1:123456789012:key/k3";

  test("S3_KMS_ENV_KMS_KEY_ID is split on commas and white space", () => {
    const specs = keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: ` ${K1},\n${K2}  ${K3}, ` });
    expect(specs.env).toEqual([K1, K2, K3]);
  });

  test("--kms-key-id is repeatable and comma-separated", () => {
    expect(keySpecs({ "kms-key-id": [`${K1},${K2}`, K3] }, {}).flag).toEqual([K1, K2, K3]);
  });

  test("a reader trusts the flags instead of the variable when both are given", () => {
    const specs = keySpecs({ "kms-key-id": [K1] }, { S3_KMS_ENV_KMS_KEY_ID: K2 });
    expect(readerKeySpecs(specs)).toEqual([K1]);
  });

  test("a writer trusts --trusted-kms-key-id and the key it writes with", () => {
    const specs = keySpecs(
      { "kms-key-id": [K3], "trusted-kms-key-id": [K1] },
      { S3_KMS_ENV_KMS_KEY_ID: K2 },
    );
    expect(writerKeySpecs(specs)).toEqual([K1, K3]);
  });

  test("a writer without --trusted-kms-key-id trusts S3_KMS_ENV_KMS_KEY_ID", () => {
    expect(writerKeySpecs(keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: `${K1},${K2}` }))).toEqual([
      K1,
      K2,
    ]);
  });

  test("writes with S3_KMS_ENV_KMS_KEY_ID only when it names one key", () => {
    expect(writeKeySpec(keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: K1 }))).toBe(K1);
    expect(writeKeySpec(keySpecs({}, { S3_KMS_ENV_KMS_KEY_ID: `${K1},${K2}` }))).toBeUndefined();
  });

  test("refuses two keys to write with", () => {
    expect(() => writeKeySpec(keySpecs({ "kms-key-id": [K1, K2] }, {}))).toThrow(
      expect.objectContaining({
        code: "USAGE",
        message: "give --kms-key-id once: it is the one key to write with",
      }) as Error,
    );
  });
});
