import { auditFrom } from "../../../src/cli/audit-options";

describe("auditFrom", () => {
  test("no --notify: names on, nothing to send", () => {
    expect(auditFrom({}, {})).toEqual({ names: true, notify: undefined });
  });

  test("flags win over the variables; the default bound is 2 s", () => {
    const settings = auditFrom(
      { notify: "https://ops.example/hook", "notify-secret-file": "/run/secrets/hook" },
      { S3_KMS_ENV_NOTIFY_URL: "https://other.example/", S3_KMS_ENV_NOTIFY_SECRET: "k" },
    );
    expect(settings.notify).toEqual({
      url: new URL("https://ops.example/hook"),
      secret: { file: "/run/secrets/hook" },
      timeoutMs: 2000,
      required: false,
    });
  });

  test("the key may be the variable's value, named as its source", () => {
    const { notify } = auditFrom(
      {},
      { S3_KMS_ENV_NOTIFY_URL: "http://127.0.0.1:9/", S3_KMS_ENV_NOTIFY_SECRET: "k" },
    );
    expect(notify?.secret).toEqual({ value: "k", from: "S3_KMS_ENV_NOTIFY_SECRET" });
  });

  test.each(["1", "true", "TRUE"])("S3_KMS_ENV_AUDIT_NO_NAMES=%s turns names off", (value) => {
    expect(auditFrom({}, { S3_KMS_ENV_AUDIT_NO_NAMES: value }).names).toBe(false);
  });

  test("a URL that is not http(s) is refused without quoting it (it may hold a password)", () => {
    let error: unknown;
    try {
      auditFrom({ notify: "ftp://user:hunter2@ops.example/" }, {});
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "USAGE",
      message: "--notify (S3_KMS_ENV_NOTIFY_URL) must be an http:// or https:// URL",
    });
  });

  test("--notify-required without a URL is a usage error", () => {
    expect(() => auditFrom({ "notify-required": true }, {})).toThrow(
      "--notify-required needs --notify URL (S3_KMS_ENV_NOTIFY_URL)",
    );
  });

  test("an ops write never has --notify-required, even from the environment", () => {
    const settings = auditFrom(
      { notify: "https://ops.example/" },
      { S3_KMS_ENV_NOTIFY_REQUIRED: "1" },
      true,
    );
    expect(settings.notify?.required).toBe(false);
  });

  test("--notify-timeout takes a duration", () => {
    expect(
      auditFrom({ notify: "https://o.example/", "notify-timeout": "500ms" }, {}).notify?.timeoutMs,
    ).toBe(500);
    expect(() => auditFrom({ notify: "https://o.example/", "notify-timeout": "soon" }, {})).toThrow(
      "--notify-timeout must be a duration such as 10s, 500ms or 2m",
    );
  });
});
