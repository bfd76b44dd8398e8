// Over https the signer hashes with node:crypto (LoadedCryptoSha256); over
// http with the SDK's pure-JS Sha256Js. Both must give the same signature.
import { Sha256Js } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ChecksumConstructor } from "@smithy/types";
import { LoadedCryptoSha256 } from "../../../src/aws/lean-call";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token",
};

function request(): HttpRequest {
  return new HttpRequest({
    method: "GET",
    protocol: "https:",
    hostname: "acme-config.s3.eu-west-1.amazonaws.com",
    path: "/prod/api.env",
    query: { versionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" },
    headers: {
      host: "acme-config.s3.eu-west-1.amazonaws.com",
      "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "x-amz-checksum-mode": "ENABLED",
    },
  });
}

async function sign(sha256: ChecksumConstructor): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: "s3",
    region: "eu-west-1",
    credentials,
    sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(request(), { signingDate: new Date("2026-11-30T12:00:00Z") });
  return signed.headers;
}

test("node:crypto's SHA-256 signs exactly as the pure-JS one", async () => {
  const native = await sign(LoadedCryptoSha256);
  expect(native.authorization).toMatch(/Signature=[0-9a-f]{64}$/);
  expect(native).toEqual(await sign(Sha256Js));
});

test.each(["", "a", "x".repeat(200)])("hash and HMAC of %j match Sha256Js", async (text) => {
  const data = new TextEncoder().encode(text);
  for (const secret of [undefined, "key", new Uint8Array([1, 2, 3])]) {
    const a = new LoadedCryptoSha256(secret);
    const b = new Sha256Js(secret);
    a.update(data);
    b.update(data);
    expect(await a.digest()).toEqual(await b.digest());
  }
});
