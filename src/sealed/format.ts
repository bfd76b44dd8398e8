// What a sealed env file looks like: one AWS Encryption SDK message
// (https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html),
// either raw or as the base64 text `aws-encryption-cli --encode` writes.
// Only the header's first bytes are read here, so exec can tell a sealed
// source from a plain one without loading the Encryption SDK.

export type SealedForm = "binary" | "base64";

/** Message format 2 (committing suites): version 0x02, then the suite id. */
const COMMITTING_SUITES = new Set([0x0478, 0x0578]);

/** The first bytes of a message: format 2 with a committing suite, or format 1 (type 0x80). */
function isMessageHeader(bytes: Uint8Array): boolean {
  const [version, second = -1, third = -1] = bytes;
  if (version === 0x02) return COMMITTING_SUITES.has((second << 8) | third);
  return version === 0x01 && second === 0x80;
}

// Base64 as the CLI writes it: one alphabet, padding only at the end, any
// line breaks. An env file never matches: its lines hold "=" before the end.
const BASE64_TEXT = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;
const WHITE_SPACE = /\s+/g;

function isBase64Message(bytes: Buffer): boolean {
  // Enough characters for the header's first three bytes.
  const head = bytes.subarray(0, 64).toString("latin1").replace(WHITE_SPACE, "").slice(0, 4);
  if (head.length < 4 || !isMessageHeader(Buffer.from(head, "base64"))) return false;
  return BASE64_TEXT.test(bytes.toString("latin1"));
}

/** How `bytes` hold a sealed message, or undefined when they are not one. */
export function sealedForm(bytes: Buffer): SealedForm | undefined {
  if (isMessageHeader(bytes)) return "binary";
  return isBase64Message(bytes) ? "base64" : undefined;
}

/** The raw message of a sealed file in either form. */
export function messageBytes(bytes: Buffer, form: SealedForm): Buffer {
  return form === "binary" ? bytes : Buffer.from(bytes.toString("latin1"), "base64");
}

/** The text form written to files and S3: base64 with a final newline, fit for git. */
export function encodeMessage(message: Uint8Array): string {
  return `${Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString("base64")}\n`;
}
