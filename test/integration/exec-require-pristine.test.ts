// exec --require (every missing name at once, before the app starts),
// --pristine/--keep (what the app inherits), and the count and names of the
// inherited values a file overrode.
import {
  canary,
  childEnv,
  ExecFixture,
  execEnv,
  expectFailure,
  PRINT_ENV,
  runExec,
  ScratchDir,
} from "../support/exec";
import { TEST_REGION } from "../support/aws";
import { runCli } from "../support/run-cli";

let fx: ExecFixture;
let scratch: ScratchDir;
let uri: string;
let secret: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-require");
  scratch = new ScratchDir();
  secret = canary("req");
  uri = await fx.put(`DB_USER=app\nDB_PASSWORD=${secret}\nAPI_TOKEN=${secret}x\n`);
});

afterAll(() => {
  fx.destroy();
  scratch.remove();
});

function missing(names: string): string {
  return (
    `required names not set by any source: ${names}; refusing to start. ` +
    "Set them in an env file (an inherited value does not count)"
  );
}

describe("--require", () => {
  test.concurrent("every missing name in one line (125), and the app never runs", async () => {
    const app = scratch.marker();
    const result = await runExec({
      flags: ["--require", "DB_USER,NOT_THERE", "--require", "ALSO_MISSING"],
      sources: [uri],
      command: app.command,
    });
    expectFailure(result, "MISSING_REQUIRED", missing("NOT_THERE, ALSO_MISSING"));
    expect(app.ran()).toBe(false);
  });

  test.concurrent("one missing name, from S3_KMS_ENV_REQUIRE", async () => {
    const result = await runExec({ sources: [uri], env: { S3_KMS_ENV_REQUIRE: "DB_HOST" } });
    expectFailure(
      result,
      "MISSING_REQUIRED",
      "required name not set by any source: DB_HOST; refusing to start. " +
        "Set it in an env file (an inherited value does not count)",
    );
  });

  test.concurrent("a required name left out by --only counts as missing, and says so", async () => {
    const result = await runExec({
      flags: ["--only", "DB_USER,NOT_THERE", "--require", "DB_USER,DB_PASSWORD,NOT_THERE"],
      sources: [uri],
    });
    expectFailure(
      result,
      "MISSING_REQUIRED",
      missing("DB_PASSWORD (left out by --only/--prefix), NOT_THERE"),
    );
  });

  test.concurrent("an inherited value does not satisfy it", async () => {
    const result = await runExec({
      flags: ["--require", "DB_HOST"],
      sources: [uri],
      env: { DB_HOST: "db.internal" },
    });
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toContain("(code=MISSING_REQUIRED)");
  });

  test.concurrent("all present: the app starts with them", async () => {
    const seen = await execEnv({
      flags: ["-q", "--require", "DB_USER,DB_PASSWORD", "--prefix", "DB_"],
      sources: [uri],
    });
    expect(seen).toMatchObject({ DB_USER: "app", DB_PASSWORD: secret });
  });

  test.concurrent(
    "with --precedence env, a name the file sets counts even when the inherited value wins",
    async () => {
      const seen = await execEnv({
        flags: ["-q", "--require", "DB_USER", "--precedence", "env"],
        sources: [uri],
        env: { DB_USER: "image" },
      });
      expect(seen.DB_USER).toBe("image");
    },
  );
});

describe("--pristine", () => {
  const inherited = {
    HOSTNAME: "web-1",
    TERM: "xterm",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    TZ: "UTC",
    IMAGE_SETTING: "stale",
    OTHER: "x",
  };

  test.concurrent("the app gets only the minimal set plus the files' variables", async () => {
    const result = await runExec({
      flags: ["-q", "--pristine"],
      sources: [uri],
      env: inherited,
      command: PRINT_ENV,
    });
    const seen = childEnv(result);
    expect(Object.keys(seen).sort()).toEqual(
      [
        "API_TOKEN",
        "DB_PASSWORD",
        "DB_USER",
        "HOME",
        "HOSTNAME",
        "LANG",
        "LC_ALL",
        "PATH",
        "TERM",
        "TZ",
      ].sort(),
    );
    expect(seen).toMatchObject({ HOSTNAME: "web-1", TZ: "UTC", DB_PASSWORD: secret });
    expect(result.stderr).toBe("");
  });

  test.concurrent("--keep and S3_KMS_ENV_KEEP add names", async () => {
    const seen = await execEnv({
      flags: ["-q", "--pristine", "--keep", "IMAGE_SETTING"],
      sources: [uri],
      env: { ...inherited, S3_KMS_ENV_KEEP: "AWS_REGION" },
    });
    expect(seen.IMAGE_SETTING).toBe("stale");
    expect(seen.AWS_REGION).toBe(TEST_REGION);
    expect(seen).not.toHaveProperty("OTHER");
    expect(seen).not.toHaveProperty("AWS_ACCESS_KEY_ID");
  });

  test.concurrent("without --pristine the whole environment is inherited", async () => {
    const seen = await execEnv({ flags: ["-q"], sources: [uri], env: inherited });
    expect(seen).toMatchObject({ OTHER: "x", AWS_REGION: TEST_REGION });
  });

  test.concurrent("--keep without --pristine is a usage error", async () => {
    const result = await runExec({ flags: ["--keep", "OTHER"], sources: [uri] });
    expectFailure(result, "USAGE", "--keep (S3_KMS_ENV_KEEP) applies only with --pristine");
  });
});

describe("overridden inherited values", () => {
  test.concurrent("info: a count on the loaded line; -v: the names; never a value", async () => {
    const env = { DB_USER: `image-${secret}`, API_TOKEN: "old", UNRELATED: "x" };
    const info = await runExec({ sources: [uri], env });
    expect(info.exitCode).toBe(0);
    expect(info.stderr).toMatch(
      new RegExp(
        `^s3-kms-env: loaded 3 variables \\(sources=\\S+ version=\\S+ kms=\\S+ overrode=2 ms=\\d+\\)\\n$`,
      ),
    );
    const verbose = await runExec({ flags: ["-v"], sources: [uri], env });
    expect(verbose.stderr).toContain(
      "s3-kms-env: verbose: overrode inherited values (names=DB_USER,API_TOKEN)\n",
    );
    for (const r of [info, verbose]) expect(r.stderr).not.toContain(secret);
  });

  test.concurrent("nothing overridden: no count", async () => {
    const info = await runExec({ sources: [uri] });
    expect(info.stderr).toMatch(
      /^s3-kms-env: loaded 3 variables \(sources=\S+ version=\S+ kms=\S+ ms=\d+\)\n$/,
    );
  });

  test.concurrent("with --precedence env nothing is overridden", async () => {
    const info = await runExec({
      flags: ["--precedence", "env"],
      sources: [uri],
      env: { DB_USER: "image" },
    });
    expect(info.stderr).toMatch(
      /^s3-kms-env: loaded 2 variables \(sources=\S+ version=\S+ kms=\S+ ms=\d+\)\n$/,
    );
  });
});

test.concurrent(
  "exec --help shows --require, --pristine and --keep with their variables",
  async () => {
    const result = await runCli(["exec", "--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ {2}--require NAME {11}fail \(MISSING_REQUIRED, 125\)/m);
    expect(result.stdout).toContain("[S3_KMS_ENV_REQUIRE]");
    expect(result.stdout).toMatch(
      /^ {2}--pristine {15}inherit only PATH, HOME, HOSTNAME, TERM, LANG, LC_\*, TZ/m,
    );
    expect(result.stdout).toMatch(/^ {2}--keep NAME {14}with --pristine/m);
    expect(result.stdout).toContain("[S3_KMS_ENV_KEEP]");
  },
);
