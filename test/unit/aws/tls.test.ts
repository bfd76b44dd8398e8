// Which TLS failures are a refused certificate (never retried, TLS_CERTIFICATE
// with what to do) and which are something else.
import { certificateRefusal } from "../../../src/aws/tls";

describe("certificateRefusal", () => {
  test.each([
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "give the CA that issued it in AWS_CA_BUNDLE"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "give the CA that issued it in AWS_CA_BUNDLE"],
    ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "give the CA that issued it in AWS_CA_BUNDLE"],
    ["CERT_HAS_EXPIRED", "check the server's certificate and this machine's clock"],
    ["CERT_NOT_YET_VALID", "check the server's certificate and this machine's clock"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "it was issued for another host name: check the endpoint"],
  ])("%s is TLS_CERTIFICATE: %s", (code, fix) => {
    const error = certificateRefusal(code, "s3://b/k", "s3.example.com");
    expect(error?.code).toBe("TLS_CERTIFICATE");
    expect(error?.message).toMatch(
      new RegExp(
        `^s3://b/k: the TLS certificate of s3\\.example\\.com was refused \\(${code}\\); `,
      ),
    );
    expect(error?.message).toContain(fix);
  });

  test.each(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPROTO", undefined])(
    "%s is not a certificate refusal",
    (code) => {
      expect(certificateRefusal(code, "s3://b/k", "s3.example.com")).toBeUndefined();
    },
  );
});
