import {
  buildChildEnv,
  isRefusedName,
  type Layer,
  type PolicyOptions,
} from "../../../src/policy/policy";

const defaults: PolicyOptions = {
  precedence: "file",
  allowNames: new Set(),
  only: undefined,
  prefixes: [],
  passOwnConfig: false,
};
const layer = (source: string, vars: Record<string, string>): Layer => ({
  source,
  vars: new Map(Object.entries(vars)),
});

describe("buildChildEnv", () => {
  test("adds the file's variables to the inherited environment", () => {
    const { env } = buildChildEnv({ HOME: "/root" }, [layer("s3://b/a", { DB: "x" })], defaults);
    expect(env).toEqual({ HOME: "/root", DB: "x" });
  });

  test("lets later sources override earlier ones", () => {
    const { env } = buildChildEnv(
      {},
      [layer("s3://b/base", { A: "base", B: "base" }), layer("s3://b/dev", { B: "dev" })],
      defaults,
    );
    expect(env).toEqual({ A: "base", B: "dev" });
  });

  test("lets the file win over the inherited environment by default", () => {
    const { env } = buildChildEnv({ DB: "image" }, [layer("s3://b/a", { DB: "file" })], defaults);
    expect(env.DB).toBe("file");
  });

  test("keeps inherited values with precedence env", () => {
    const result = buildChildEnv({ DB: "image" }, [layer("s3://b/a", { DB: "file", X: "1" })], {
      ...defaults,
      precedence: "env",
    });
    expect(result.env).toEqual({ DB: "image", X: "1" });
    expect(result.kept).toEqual(["DB"]);
  });

  test("removes s3-kms-env's own configuration from the inherited environment", () => {
    const { env } = buildChildEnv({ S3_KMS_ENV_URI: "s3://b/a", HOME: "/" }, [], defaults);
    expect(env).toEqual({ HOME: "/" });
  });

  test("passes its own configuration on when asked", () => {
    const { env } = buildChildEnv({ S3_KMS_ENV_URI: "s3://b/a" }, [], {
      ...defaults,
      passOwnConfig: true,
    });
    expect(env).toEqual({ S3_KMS_ENV_URI: "s3://b/a" });
  });

  test("refuses a name that can hijack the runtime, naming it and the source", () => {
    expect(() =>
      buildChildEnv({}, [layer("s3://b/a", { LD_PRELOAD: "/tmp/x.so" })], defaults),
    ).toThrow(
      "s3://b/a sets LD_PRELOAD (would take over the app's runtime); refusing to start. Allow it with --allow-name LD_PRELOAD if this is intended",
    );
  });

  test("allows a refused name that is allowed by name", () => {
    const { env } = buildChildEnv(
      {},
      [layer("s3://b/a", { NODE_OPTIONS: "--max-old-space-size=512" })],
      {
        ...defaults,
        allowNames: new Set(["NODE_OPTIONS"]),
      },
    );
    expect(env.NODE_OPTIONS).toBe("--max-old-space-size=512");
  });

  test("takes only the names given with --only", () => {
    const result = buildChildEnv({}, [layer("s3://b/a", { A: "1", B: "2" })], {
      ...defaults,
      only: new Set(["A"]),
    });
    expect(result.env).toEqual({ A: "1" });
    expect(result.filtered).toEqual(["B"]);
  });

  test("takes only names with a --prefix", () => {
    const { env } = buildChildEnv({}, [layer("s3://b/a", { APP_A: "1", B: "2" })], {
      ...defaults,
      prefixes: ["APP_"],
    });
    expect(env).toEqual({ APP_A: "1" });
  });

  test("does not refuse a dangerous name that the filters leave out", () => {
    const { env } = buildChildEnv({}, [layer("s3://b/a", { PATH: "/evil", APP_A: "1" })], {
      ...defaults,
      prefixes: ["APP_"],
    });
    expect(env).toEqual({ APP_A: "1" });
  });
});

describe("isRefusedName", () => {
  test.each([
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "NODE_OPTIONS",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "BASH_ENV",
    "ENV",
    "PERL5OPT",
    "RUBYOPT",
    "JAVA_TOOL_OPTIONS",
    "PATH",
    "DYLD_INSERT_LIBRARIES",
    "BASH_FUNC_x%%",
    "AWS_ENDPOINT_URL",
    "HTTPS_PROXY",
    "S3_KMS_ENV_URI",
    "GLIBC_TUNABLES",
    "PYTHONWARNINGS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_KEY_0",
    "GIT_CONFIG_VALUE_0",
    "GIT_SSH",
    "GIT_ASKPASS",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSLKEYLOGFILE",
    "PS4",
    "BASHOPTS",
    "CLASSPATH",
  ])("refuses %s", (name) => {
    expect(isRefusedName(name)).toBe(true);
  });

  test.each(["DB_PASSWORD", "PATHNAME", "NODE_ENV", "RAILS_ENV", "GIT_COMMIT", "GIT_SHA"])(
    "accepts %s",
    (name) => {
      expect(isRefusedName(name)).toBe(false);
    },
  );
});
