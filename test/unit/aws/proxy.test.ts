// The pure parts of src/aws: which proxy a URL takes (NO_PROXY forms, lower
// case first) and the settings errors that name their setting.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bypassesProxy, proxyFor, proxyLabel } from "../../../src/aws/proxy";
import { resolveAwsSettings, s3EndpointFor } from "../../../src/aws/resolve";

const S3 = new URL("https://bucket.s3.eu-west-1.amazonaws.com");
const LOCAL = new URL("http://127.0.0.1:9000");

describe("proxyFor", () => {
  test.each([
    [{ HTTPS_PROXY: "http://proxy:3128" }, S3, "http://proxy:3128/"],
    [{ https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" }, S3, "http://lower:1/"],
    [{ HTTPS_PROXY: "proxy:3128" }, S3, "http://proxy:3128/"],
    [{ HTTP_PROXY: "http://proxy:3128" }, S3, undefined],
    [{ HTTP_PROXY: "http://proxy:3128" }, LOCAL, "http://proxy:3128/"],
    [{ HTTPS_PROXY: "http://proxy:3128", NO_PROXY: ".amazonaws.com" }, S3, undefined],
    [{ HTTPS_PROXY: "http://proxy:3128", no_proxy: "amazonaws.com" }, S3, undefined],
    [{ HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "*" }, S3, undefined],
    [{ HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "example.com" }, S3, "http://proxy:3128/"],
    [{ HTTP_PROXY: "http://proxy:3128", NO_PROXY: "127.0.0.0/8" }, LOCAL, undefined],
    [{ HTTP_PROXY: "http://proxy:3128", NO_PROXY: "127.0.0.1:9000" }, LOCAL, undefined],
    [{ HTTP_PROXY: "http://proxy:3128", NO_PROXY: "127.0.0.1:9001" }, LOCAL, "http://proxy:3128/"],
  ])("%j for %s", (env, url, expected) => {
    expect(proxyFor(url, env)?.href).toBe(expected);
  });

  test.each([
    [
      { HTTPS_PROXY: "http://user:hunter2@[bad" },
      "HTTPS_PROXY is not a proxy URL; give it as http://HOST:PORT (or unset it)",
    ],
    [
      { https_proxy: "socks5://user:hunter2@proxy:1080" },
      "https_proxy names a socks5:// proxy; only http:// and https:// proxies are supported",
    ],
  ])("an unusable %j is AWS_CONFIG, naming the variable and never its value", (env, message) => {
    expect(() => proxyFor(S3, env)).toThrow(
      expect.objectContaining({ code: "AWS_CONFIG", message }) as Error,
    );
  });

  test("an unusable proxy setting that NO_PROXY exempts the target from is not read", () => {
    expect(proxyFor(S3, { HTTPS_PROXY: "socks5://proxy:1080", NO_PROXY: "*" })).toBeUndefined();
  });

  test("the label never shows the proxy's user or password", () => {
    expect(proxyLabel(new URL("http://user:hunter2@proxy:3128"))).toBe("http://proxy:3128");
  });

  test("an empty NO_PROXY bypasses nothing", () => {
    expect(bypassesProxy(S3, "")).toBe(false);
  });
});

function withConfig(config: string): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), "s3-kms-env-unit-"));
  mkdirSync(path.join(home, ".aws"));
  writeFileSync(path.join(home, ".aws", "config"), config);
  return { HOME: home };
}

describe("settings errors name the setting", () => {
  test.each([
    [
      { AWS_REGION: "eu-west-1", AWS_USE_FIPS_ENDPOINT: "yes" },
      'AWS_USE_FIPS_ENDPOINT must be "true" or "false"',
    ],
    [
      { AWS_REGION: "eu-west-1", S3_KMS_ENV_ADDRESSING_STYLE: "dns" },
      "S3_KMS_ENV_ADDRESSING_STYLE must be auto, path or virtual",
    ],
    [
      { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "minio:9000" },
      "AWS_ENDPOINT_URL is not an http(s) URL",
    ],
    [
      withConfig("[default]\nregion = eu-west-1\nservices = nope\n"),
      'profile default names services section "nope", which is not in the config file',
    ],
  ])("%j", async (env, message) => {
    await expect(resolveAwsSettings(env)).rejects.toThrow(message);
  });

  test("FIPS with a custom endpoint is refused as S3's rules refuse it", async () => {
    const settings = await resolveAwsSettings({
      AWS_REGION: "us-east-1",
      AWS_USE_FIPS_ENDPOINT: "true",
      AWS_ENDPOINT_URL: "https://s3.example.net",
    });
    expect(() => s3EndpointFor(settings, "b-b-b")).toThrow(
      "cannot reach S3 with these settings: A custom endpoint cannot be combined with FIPS",
    );
  });
});
