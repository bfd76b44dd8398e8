// A sealed file given to a reader that does not know sealing (s3-kms-env
// before 0.3, or any path that parses it as a plain env file) is refused as
// unparseable, by line number only: the sealed text never shows either.
import { parseEnvFile } from "../../../src/envfile/parse";

const message = Buffer.concat([Buffer.from([0x02, 0x05, 0x78]), Buffer.alloc(300, 0x41)]);

test.each([
  ["the base64 text seal writes", Buffer.from(`${message.toString("base64")}\n`)],
  ["the raw message", message],
])("%s is refused by the plain parser as line 1, nothing of it shown", (_, bytes) => {
  expect(() => parseEnvFile(bytes, "s3://b/k", 1024 * 1024)).toThrow(
    expect.objectContaining({
      code: "PARSE",
      message: "s3://b/k: line 1: expected NAME=value with NAME matching [A-Za-z_][A-Za-z0-9_]*",
    }) as Error,
  );
});
