// `s3-kms-env exec`: what the app's environment is made of — the files'
// variables on top of the inherited environment, several sources layered,
// S3_KMS_ENV_URI, object versions, precedence, own configuration, filters.
import {
  escapeRegExp,
  ExecFixture,
  execEnv,
  expectFailure,
  PRINT_ENV,
  runExec,
} from "../support/exec";
import { cliEnv } from "../support/run-cli";

const DB = { DB_USERNAME: "app_user", DB_PASSWORD: "s3cr3t-pw", DB_HOSTNAME: "db.internal" };
const DB_FILE = "DB_USERNAME=app_user\nDB_PASSWORD=s3cr3t-pw\nDB_HOSTNAME=db.internal\n";
const LOADED = /^s3-kms-env: loaded (\d+) variables \(sources=(.*) ms=\d+\)\n$/;

let fx: ExecFixture;
let dbUri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-injection");
  dbUri = await fx.put(DB_FILE);
});

afterAll(() => fx.destroy());

describe("one source", () => {
  test.concurrent(
    "the app gets DB_USERNAME, DB_PASSWORD and DB_HOSTNAME from the file",
    async () => {
      const env = await execEnv({ sources: [dbUri] });
      expect(env).toMatchObject(DB);
    },
  );

  test.concurrent(
    "the app's environment is exactly the inherited one plus the file's",
    async () => {
      const env = await execEnv({ sources: [dbUri], env: { APP_MODE: "worker" } });
      expect(env).toEqual({ ...cliEnv({ env: { APP_MODE: "worker" } }), ...DB });
    },
  );

  test.concurrent(
    "values arrive verbatim: quotes, newlines, '=', spaces, '$' never expanded",
    async () => {
      const uri = await fx.put(
        [
          'QUOTED="a b=c $HOME ${PATH} `id`"',
          "SINGLE='single $HOME \"double\" inside'",
          'MULTILINE="line 1',
          'line 2"',
          'ESCAPED="x\\ny"',
          "export EXPORTED=yes",
          "UNICODE=pässwörd✓",
          "EMPTY=",
          "",
        ].join("\n"),
      );
      const env = await execEnv({ sources: [uri] });
      expect(env).toMatchObject({
        QUOTED: "a b=c $HOME ${PATH} `id`",
        SINGLE: 'single $HOME "double" inside',
        MULTILINE: "line 1\nline 2",
        ESCAPED: "x\ny",
        EXPORTED: "yes",
        UNICODE: "pässwörd✓",
        EMPTY: "",
      });
    },
  );

  test.concurrent("a key with '?', spaces or non-ASCII is written %-escaped", async () => {
    await fx.put("ODD_KEY=yes\n", { key: "odd dir/ünïcode?v=1.env" });
    const env = await execEnv({
      sources: [`s3://${fx.bucket}/odd%20dir/%C3%BCn%C3%AFcode%3Fv%3D1.env`],
    });
    expect(env.ODD_KEY).toBe("yes");
  });

  test.concurrent(
    "logs one line: the source, its version, the KMS key ARN, the count, the ms",
    async () => {
      const { uri, versionId } = await fx.putVersion(DB_FILE);
      const result = await runExec({ sources: [uri] });
      expect(result).toMatchObject({ exitCode: 0, stdout: "" });
      expect(result.stderr).toMatch(LOADED);
      expect(LOADED.exec(result.stderr)?.slice(1, 3)).toEqual([
        "3",
        `${uri} version=${versionId} kms=${fx.kmsKey.arn}`,
      ]);
    },
  );

  test.concurrent("--quiet: nothing on stderr", async () => {
    const result = await runExec({ flags: ["--quiet"], sources: [dbUri] });
    expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
  });

  test.concurrent("--verbose also logs the names, and never a value", async () => {
    const result = await runExec({ flags: ["--verbose"], sources: [dbUri] });
    expect(result.exitCode).toBe(0);
    expect(result.stderr.split("\n").slice(1)).toEqual([
      "s3-kms-env: verbose: names (names=DB_USERNAME,DB_PASSWORD,DB_HOSTNAME)",
      "",
    ]);
  });

  test.concurrent("--log-format json: the line is the start's audit event", async () => {
    const result = await runExec({ flags: ["--log-format", "json"], sources: [dbUri] });
    expect(result.exitCode).toBe(0);
    // Its every field: exec-audit.test.ts.
    expect(JSON.parse(result.stderr)).toMatchObject({
      level: "info",
      msg: "loaded 3 variables",
      event: "start",
      sources: [{ uri: dbUri, versionId: await latestVersion(dbUri), kmsKeyArn: fx.kmsKey.arn }],
    });
  });

  test.concurrent("a name set twice: a warning names it, and the last value wins", async () => {
    const uri = await fx.put("DB_PASSWORD=first\nDB_USERNAME=u\nDB_PASSWORD=second\n");
    const result = await runExec({ sources: [uri], command: PRINT_ENV });
    expect(JSON.parse(result.stdout)).toMatchObject({ DB_PASSWORD: "second", DB_USERNAME: "u" });
    expect(result.stderr.split("\n")[0]).toBe(
      `s3-kms-env: warn: ${uri} sets a name more than once; the last wins (names=DB_PASSWORD)`,
    );
  });
});

async function latestVersion(uri: string): Promise<string | undefined> {
  const key = uri.slice(`s3://${fx.bucket}/`.length);
  return (await fx.aws.getObject(fx.bucket, key)).versionId;
}

describe("several sources", () => {
  let base: string;
  let dev: string;

  beforeAll(async () => {
    base = await fx.put("DB_USERNAME=base_user\nDB_HOSTNAME=base.db\nLOG_LEVEL=info\n");
    dev = await fx.put("DB_HOSTNAME=dev.db\nLOG_LEVEL=debug\nFEATURE_X=on\n");
  });

  test.concurrent("a later source overrides an earlier one, name by name", async () => {
    const env = await execEnv({ sources: [base, dev] });
    expect(env).toMatchObject({
      DB_USERNAME: "base_user",
      DB_HOSTNAME: "dev.db",
      LOG_LEVEL: "debug",
      FEATURE_X: "on",
    });
  });

  test.concurrent(
    "the order on the command line decides, not the order of the answers",
    async () => {
      const env = await execEnv({ sources: [dev, base] });
      expect(env).toMatchObject({ DB_HOSTNAME: "base.db", LOG_LEVEL: "info", FEATURE_X: "on" });
    },
  );

  test.concurrent("the log line names every source and counts the names applied", async () => {
    const result = await runExec({ sources: [base, dev] });
    const [, count, sources] = LOADED.exec(result.stderr) ?? [];
    expect(count).toBe("4");
    expect(sources).toMatch(
      new RegExp(`^${escapeRegExp(base)} version=\\S+ kms=\\S+,${escapeRegExp(dev)} `),
    );
  });

  describe("from S3_KMS_ENV_URI, with `exec --`", () => {
    test.concurrent.each([
      ["a comma", (a: string, b: string) => `${a},${b}`],
      ["a comma and spaces", (a: string, b: string) => ` ${a} , ${b} `],
      ["white space: spaces, tabs, newlines", (a: string, b: string) => `\n\t${a}  \n\t ${b}\n`],
    ])("separated by %s", async (_how, join) => {
      const env = await execEnv({ env: { S3_KMS_ENV_URI: join(base, dev) } });
      expect(env).toMatchObject({ DB_USERNAME: "base_user", DB_HOSTNAME: "dev.db" });
    });

    test.concurrent("URIs before -- take the place of S3_KMS_ENV_URI", async () => {
      const env = await execEnv({ sources: [base], env: { S3_KMS_ENV_URI: dev } });
      expect(env).toMatchObject({ DB_HOSTNAME: "base.db" });
      expect(env).not.toHaveProperty("FEATURE_X");
    });
  });
});

describe("?versionId=", () => {
  let key: string;
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    key = fx.freshKey();
    v1 = (await fx.putVersion("DB_PASSWORD=old-password\n", { key })).versionId;
    v2 = (await fx.putVersion("DB_PASSWORD=new-password\n", { key })).versionId;
  });

  test.concurrent("picks that version of the object, an older one included", async () => {
    const env = await execEnv({ sources: [`s3://${fx.bucket}/${key}?versionId=${v1}`] });
    expect(env.DB_PASSWORD).toBe("old-password");
  });

  test.concurrent("without it, the latest version is read and logged", async () => {
    const result = await runExec({ sources: [`s3://${fx.bucket}/${key}`], command: PRINT_ENV });
    expect(JSON.parse(result.stdout)).toMatchObject({ DB_PASSWORD: "new-password" });
    expect(result.stderr).toContain(` version=${v2} `);
  });
});

describe("precedence between the file and the inherited environment", () => {
  const inherited = { DB_HOSTNAME: "baked-into-image", APP_MODE: "web" };

  test.concurrent("by default the file wins", async () => {
    const env = await execEnv({ sources: [dbUri], env: inherited });
    expect(env).toMatchObject({ ...DB, APP_MODE: "web" });
  });

  test.concurrent(
    "--precedence env: the inherited value wins, the file adds the rest",
    async () => {
      const env = await execEnv({
        flags: ["--precedence", "env"],
        sources: [dbUri],
        env: inherited,
      });
      expect(env).toMatchObject({ ...DB, DB_HOSTNAME: "baked-into-image", APP_MODE: "web" });
    },
  );

  test.concurrent("S3_KMS_ENV_PRECEDENCE=env does the same", async () => {
    const env = await execEnv({
      sources: [dbUri],
      env: { ...inherited, S3_KMS_ENV_PRECEDENCE: "env" },
    });
    expect(env.DB_HOSTNAME).toBe("baked-into-image");
  });

  test.concurrent("--precedence file overrides S3_KMS_ENV_PRECEDENCE=env", async () => {
    const env = await execEnv({
      flags: ["--precedence", "file"],
      sources: [dbUri],
      env: { ...inherited, S3_KMS_ENV_PRECEDENCE: "env" },
    });
    expect(env.DB_HOSTNAME).toBe("db.internal");
  });

  test.concurrent(
    "--precedence env --verbose names the values kept, and counts only those applied",
    async () => {
      const result = await runExec({
        flags: ["--precedence", "env", "--verbose"],
        sources: [dbUri],
        env: inherited,
      });
      const lines = result.stderr.split("\n");
      expect(lines[0]).toBe(
        "s3-kms-env: verbose: kept inherited values (--precedence env) (names=DB_HOSTNAME)",
      );
      expect(lines[1]).toMatch(/^s3-kms-env: loaded 2 variables /);
      expect(lines[2]).toBe("s3-kms-env: verbose: names (names=DB_USERNAME,DB_PASSWORD)");
    },
  );
});

describe("s3-kms-env's own configuration (S3_KMS_ENV_*)", () => {
  const own = {
    S3_KMS_ENV_LOG_LEVEL: "info",
    S3_KMS_ENV_TIMEOUT: "9s",
    S3_KMS_ENV_MAX_SIZE: "64K",
  };

  test.concurrent("is removed from the app's environment", async () => {
    const env = await execEnv({ env: { ...own, S3_KMS_ENV_URI: dbUri } });
    expect(env).toMatchObject(DB);
    expect(Object.keys(env).filter((name) => name.startsWith("S3_KMS_ENV_"))).toEqual([]);
  });

  test.concurrent("is passed on with --pass-own-config", async () => {
    const env = await execEnv({
      flags: ["--pass-own-config"],
      env: { ...own, S3_KMS_ENV_URI: dbUri },
    });
    expect(env).toMatchObject({ ...DB, ...own, S3_KMS_ENV_URI: dbUri });
  });
});

describe("--only and --prefix take a subset of the files' names", () => {
  let mixed: string;

  beforeAll(async () => {
    mixed = await fx.put(`${DB_FILE}REDIS_URL=redis://cache\nSMTP_HOST=mail\n`);
  });

  const only = (env: Record<string, string>): string[] =>
    Object.keys(env).filter((n) => /^(DB_|REDIS_|SMTP_)/.test(n));

  test.concurrent.each([
    ["--only, repeated", ["--only", "DB_USERNAME", "--only", "SMTP_HOST"], {}],
    ["--only, comma-separated", ["--only", "DB_USERNAME,SMTP_HOST"], {}],
    ["S3_KMS_ENV_ONLY", [], { S3_KMS_ENV_ONLY: "DB_USERNAME, SMTP_HOST" }],
  ])("%s: exactly those names", async (_how, flags, env) => {
    const seen = await execEnv({ flags, sources: [mixed], env });
    expect(only(seen).sort()).toEqual(["DB_USERNAME", "SMTP_HOST"]);
  });

  test.concurrent.each([
    ["--prefix", ["--prefix", "DB_"], {}],
    ["S3_KMS_ENV_PREFIX", [], { S3_KMS_ENV_PREFIX: "DB_" }],
  ])("%s: only names starting with it", async (_how, flags, env) => {
    const seen = await execEnv({ flags, sources: [mixed], env });
    expect(only(seen).sort()).toEqual(["DB_HOSTNAME", "DB_PASSWORD", "DB_USERNAME"]);
  });

  test.concurrent("several prefixes add up", async () => {
    const seen = await execEnv({
      flags: ["--prefix", "REDIS_", "--prefix", "SMTP_"],
      sources: [mixed],
    });
    expect(only(seen).sort()).toEqual(["REDIS_URL", "SMTP_HOST"]);
  });

  test.concurrent("--only and --prefix together: names that pass both", async () => {
    const seen = await execEnv({
      flags: ["--only", "DB_USERNAME,REDIS_URL", "--prefix", "DB_"],
      sources: [mixed],
    });
    expect(only(seen)).toEqual(["DB_USERNAME"]);
  });

  test.concurrent(
    "an inherited variable the filter leaves out keeps its inherited value",
    async () => {
      const seen = await execEnv({
        flags: ["--prefix", "DB_"],
        sources: [mixed],
        env: { SMTP_HOST: "inherited-mail" },
      });
      expect(seen.SMTP_HOST).toBe("inherited-mail");
    },
  );

  test.concurrent("--verbose names what the filter left out", async () => {
    const result = await runExec({ flags: ["--prefix", "DB_", "-v"], sources: [mixed] });
    expect(result.stderr.split("\n")[0]).toBe(
      "s3-kms-env: verbose: left out by --only/--prefix (names=REDIS_URL,SMTP_HOST)",
    );
  });
});

describe("--expand", () => {
  let base: string;

  beforeAll(async () => {
    base = await fx.put("DB_HOSTNAME=db.internal\nDB_PASSWORD=s3cr3t\n");
  });

  test.concurrent(
    "${NAME} and $NAME take earlier values of the file, earlier files and the inherited environment",
    async () => {
      const uri = await fx.put(
        [
          "DB_USERNAME=app",
          'DSN="postgres://${DB_USERNAME}:${DB_PASSWORD}@$DB_HOSTNAME/$APP_DB"',
          "",
        ].join("\n"),
      );
      const env = await execEnv({
        flags: ["--expand"],
        sources: [base, uri],
        env: { APP_DB: "orders" },
      });
      expect(env.DSN).toBe("postgres://app:s3cr3t@db.internal/orders");
    },
  );

  test.concurrent("single quotes, \\$ and $(…) stay literal: nothing is ever run", async () => {
    const uri = await fx.put('A=\'${DB_PASSWORD}\'\nB="\\$DB_PASSWORD"\nC="$(id)"\n');
    const env = await execEnv({ flags: ["--expand"], sources: [base, uri] });
    expect(env).toMatchObject({ A: "${DB_PASSWORD}", B: "$DB_PASSWORD", C: "$(id)" });
  });

  test.concurrent("with --precedence env a reference sees the inherited value", async () => {
    const uri = await fx.put('URL="https://${DB_HOSTNAME}"\n');
    const env = await execEnv({
      flags: ["--expand", "--precedence", "env"],
      sources: [base, uri],
      env: { DB_HOSTNAME: "local.db" },
    });
    expect(env.URL).toBe("https://local.db");
  });

  test.concurrent(
    "a reference to an undefined name: PARSE, naming the variable, not what follows the $",
    async () => {
      const uri = await fx.put('DB_PASSWORD="Xk9$Zq7wLm2pR"\n');
      const result = await runExec({ flags: ["--expand"], sources: [uri] });
      expectFailure(
        result,
        "PARSE",
        `${uri}: DB_PASSWORD has a $ reference to a variable that is not defined (--expand); single-quote the value or write \\$ if the $ is literal`,
      );
      expect(result.stderr).not.toContain("Zq7wLm2pR");
    },
  );

  test.concurrent("a back-quoted value stays literal under --expand", async () => {
    const uri = await fx.put("P=`a$HOME`\n");
    const env = await execEnv({ flags: ["--expand"], sources: [uri] });
    expect(env.P).toBe("a$HOME");
  });
});
