import { encodeMessage, messageBytes, sealedForm } from "../../../src/sealed/format";

// The first bytes of real messages: format 2 with suite 0x0578 (committing,
// signed; the default) and 0x0478 (committing, unsigned), and format 1.
const V2_SIGNED = Buffer.from([0x02, 0x05, 0x78, 0x11, 0x22, 0x33]);
const V2_UNSIGNED = Buffer.from([0x02, 0x04, 0x78, 0x11, 0x22, 0x33]);
const V1 = Buffer.from([0x01, 0x80, 0x03, 0x78, 0x11, 0x22]);

describe("sealedForm: a sealed message is told apart by its header alone", () => {
  test.each([
    ["format 2, signed committing suite", V2_SIGNED],
    ["format 2, unsigned committing suite", V2_UNSIGNED],
    ["format 1", V1],
  ])("the raw message (%s) is binary", (_, bytes) => {
    expect(sealedForm(bytes)).toBe("binary");
  });

  test("the base64 text aws-encryption-cli --encode writes is base64", () => {
    expect(sealedForm(Buffer.from(V2_SIGNED.toString("base64")))).toBe("base64");
  });

  test("base64 wrapped over lines with a final newline is base64", () => {
    const text = Buffer.concat([V2_SIGNED, Buffer.alloc(90, 7)]).toString("base64");
    expect(sealedForm(Buffer.from(`${text.slice(0, 76)}\n${text.slice(76)}\n`))).toBe("base64");
  });

  test.each([
    ["an empty file", ""],
    ["a plain env file", "A=1\nB=2\n"],
    ["an env file whose first name looks like base64 of a header", "AgV4=x\n"],
    ["base64 of something that is not a message", Buffer.from("hello world").toString("base64")],
    ["a format 2 header with an unknown suite", Buffer.from([0x02, 0x00, 0x14]).toString("latin1")],
  ])("%s is not sealed", (_, text) => {
    expect(sealedForm(Buffer.from(text, "latin1"))).toBeUndefined();
  });
});

describe("messageBytes and encodeMessage", () => {
  test("the text form decodes back to the raw message", () => {
    const text = Buffer.from(encodeMessage(V2_SIGNED));
    expect(messageBytes(text, "base64")).toEqual(V2_SIGNED);
  });

  test("the text form is one base64 line with a final newline", () => {
    expect(encodeMessage(V2_SIGNED)).toBe(`${V2_SIGNED.toString("base64")}\n`);
  });
});
