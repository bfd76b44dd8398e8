// seal and unseal against moto's KMS: round trip, interop both ways with
// AWS's own aws-encryption-cli (installed into .venv by scripts/setup.sh),
// the context and the trusted keys, every tampered region, and no value in
// any output.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { kmsTargets } from "../support/exec";
import { canary, errorLine, opsWorld, type OpsWorld } from "../support/ops";
import {
  CLI_PATH,
  cliEnv,
  expectNoLeak,
  nodeBinary,
  runCli,
  type CliResult,
} from "../support/run-cli";

const AWS_ENCRYPTION_CLI = path.resolve(__dirname, "../../.venv/bin/aws-encryption-cli");

let world: OpsWorld;
let dir: string;
const password = canary("pw");
const token = canary("tok");
const plaintext = `# api\nDB_PASSWORD="${password}"\nAPI_TOKEN=${token}\n`;
const canaries = [password, token];
let plainFile: string;
/** Sealed by us under world.key with app=api. */
let sealedFile: string;

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** AWS's own CLI against moto, with the same environment the tests give s3-kms-env. */
async function awsEncryptionCli(args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(AWS_ENCRYPTION_CLI, [...args, "-S"], {
    env: cliEnv(),
    encoding: "latin1",
  });
  return stdout;
}

/** aws-encryption-cli --encrypt of plainFile into `out` under the world's key, with `flags` and the context pairs. */
async function cliEncrypt(
  out: string,
  flags: readonly string[],
  context: readonly string[],
): Promise<void> {
  await awsEncryptionCli([
    "--encrypt",
    ...flags,
    "--input",
    plainFile,
    "--output",
    out,
    "--wrapping-keys",
    `key=${world.key.arn}`,
    "--encryption-context",
    ...context,
  ]);
}

const seal = (args: readonly string[], options = {}): Promise<CliResult> =>
  runCli(["seal", "-q", "--kms-key-id", world.key.arn, ...args], options);
const unseal = (args: readonly string[], options = {}): Promise<CliResult> =>
  runCli(["unseal", "-q", "--kms-key-id", world.key.arn, ...args], options);

beforeAll(async () => {
  world = await opsWorld("sealed");
  dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-sealed-"));
  plainFile = file("api.env", plaintext);
  sealedFile = path.join(dir, "api.env.sealed");
  const result = await seal([plainFile, "--context", "app=api", "-o", sealedFile]);
  expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
});
afterAll(() => world.aws.destroy());

describe("seal and unseal", () => {
  test("seal writes one base64 line that unseal opens to the exact plaintext", async () => {
    expect(readFileSync(sealedFile, "latin1")).toMatch(/^AgV4[A-Za-z0-9+/]+={0,2}\n$/);
    const result = await unseal([sealedFile, "--context", "app=api"]);
    expect(result).toEqual(expect.objectContaining({ exitCode: 0, stdout: plaintext, stderr: "" }));
  });

  test("seal logs the key and the number of variables, never a value", async () => {
    const result = await runCli(["seal", "--kms-key-id", world.key.arn, plainFile]);
    expect(result.stderr).toBe(
      `s3-kms-env: sealed ${plainFile} (kms=${world.key.arn} variables=2)\n`,
    );
    expectNoLeak(result, canaries);
  });

  test("unseal -o writes a new file of mode 0600", async () => {
    const out = path.join(dir, "out-0600.env");
    const result = await unseal([sealedFile, "-o", out]);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(plaintext);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  test("unseal -o refuses an existing file", async () => {
    const out = file("exists.env", "");
    const result = await unseal([sealedFile, "-o", out]);
    expect(result.stderr).toBe(
      errorLine(
        `${out} already exists; unseal writes only a new file (mode 0600): remove it or choose another path`,
        "CANNOT_WRITE_FILE",
      ),
    );
  });

  test("seal reads stdin and unseal reads the raw (binary) message too", async () => {
    const sealed = await seal(["-"], { input: plaintext });
    const raw = file("raw.bin", Buffer.from(sealed.stdout, "base64"));
    const result = await unseal([raw]);
    expect(result).toMatchObject({ exitCode: 0, stdout: plaintext });
  });

  test("seal refuses a file exec would refuse, before any KMS call", async () => {
    const result = await seal([file("bad.env", `GOOD=1\nbad line ${password}\n`)]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/\(code=PARSE\)\n$/);
    expectNoLeak(result, [password]);
  });

  test("unseal refuses to print the plaintext on a terminal without --reveal", async () => {
    // util-linux `script` gives the CLI a terminal for stdout; its own output is the terminal's.
    const command = [nodeBinary(), CLI_PATH, "unseal", "--kms-key-id", world.key.arn, sealedFile];
    const result = await runCli(["-qec", command.join(" "), "/dev/null"], {
      executable: ["script"],
    });
    expect(result.exitCode).toBe(125);
    expect(result.stdout.replace(/\r\n/g, "\n")).toBe(
      errorLine(
        "refusing to print the plaintext on a terminal: pass --reveal, or -o FILE",
        "USAGE",
      ),
    );
  });

  test("unseal with no trusted key is a usage error", async () => {
    const result = await runCli(["unseal", sealedFile]);
    expect(result.stderr).toBe(
      errorLine(
        "name the KMS keys trusted to have sealed it with --kms-key-id (or S3_KMS_ENV_KMS_KEY_ID), or give --discovery-account",
        "USAGE",
      ),
    );
  });
});

describe("interop with AWS's aws-encryption-cli", () => {
  test("aws-encryption-cli --decrypt --decode opens what seal wrote", async () => {
    const out = await awsEncryptionCli([
      "--decrypt",
      "--decode",
      "--input",
      sealedFile,
      "--output",
      "-",
      "--wrapping-keys",
      `key=${world.key.arn}`,
      "--encryption-context",
      "purpose=s3-kms-env",
      "app=api",
    ]);
    expect(out).toBe(plaintext);
  });

  test.each([
    ["base64 (--encode)", ["--encode"]],
    ["raw", []],
  ])("unseal opens what aws-encryption-cli --encrypt wrote, %s", async (_, form) => {
    const out = path.join(dir, `cli-${form.length}.sealed`);
    await cliEncrypt(out, form, ["purpose=s3-kms-env", "app=api"]);
    const result = await unseal([out, "--context", "app=api"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: plaintext, stderr: "" });
  });
});

describe("refusals", () => {
  test("a file sealed for another context", async () => {
    const result = await unseal([sealedFile, "--context", "app=web"]);
    expect(result).toEqual({
      exitCode: 125,
      signal: null,
      stdout: "",
      stderr: errorLine(
        `${sealedFile} was sealed for app="api", not "web": it belongs elsewhere (copied or swapped); seal it again for this place, or pass the --context it was sealed with`,
        "SEALED_CONTEXT_MISMATCH",
      ),
      timedOut: false,
    });
  });

  test("a file sealed under a key that is not trusted", async () => {
    const result = await runCli(["unseal", "--kms-key-id", world.otherKey.arn, sealedFile]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${sealedFile} is sealed with ${world.key.arn}, not a trusted key (trusted: ${world.otherKey.arn}); refusing to open it. Name its key with --kms-key-id only if you know who can seal with it`,
        "SEALED_KEY_NOT_TRUSTED",
      ),
    });
  });

  test("a file sealed without key commitment (aws-encryption-cli's forbid-encrypt policy)", async () => {
    const out = path.join(dir, "uncommitted.sealed");
    await cliEncrypt(
      out,
      ["--encode", "--commitment-policy", "forbid-encrypt-allow-decrypt"],
      ["purpose=s3-kms-env"],
    );
    const result = await unseal([out]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${out} is sealed with an algorithm suite without key commitment (0x0378); refused: seal it again with s3-kms-env (or aws-encryption-cli 2 or later with its default commitment policy)`,
        "SEALED_CORRUPT",
      ),
    });
  });

  test("a file sealed without a signature (suite 0x0478) is refused by unseal and exec: anyone who may decrypt could have written it", async () => {
    const out = path.join(dir, "unsigned.sealed");
    await cliEncrypt(
      out,
      ["--encode", "--algorithm", "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"],
      ["purpose=s3-kms-env"],
    );
    const refusal = (where: string) => ({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${where} is sealed with an algorithm suite without a signature (0x0478); refused: anyone who can decrypt it could have written it. Seal it again with s3-kms-env (or aws-encryption-cli with its default algorithm)`,
        "SEALED_CORRUPT",
      ),
    });
    expect(await unseal([out])).toMatchObject(refusal(out));
    const exec = ["exec", "--kms-key-id", world.key.arn, `file://${out}`, "--", "/bin/true"];
    expect(await runCli(exec)).toMatchObject(refusal(`file://${out}`));
  });

  test("discovery opens a file sealed under a key of the named account only", async () => {
    const account = world.key.arn.split(":")[4] ?? "";
    const opened = await runCli(["unseal", "-q", "--discovery-account", account, sealedFile]);
    expect(opened).toMatchObject({ exitCode: 0, stdout: plaintext });
    const refused = await runCli(["unseal", "--discovery-account", "999999999999", sealedFile]);
    expect(refused.stderr).toMatch(
      /trusted accounts: 999999999999\).*\(code=SEALED_KEY_NOT_TRUSTED\)\n$/,
    );
  });
});

/** The raw message of the sealed file, and where its regions are (one final frame, signed suite). */
function regions(message: Buffer): Record<string, number> {
  // Footer: a 2-byte length, then an ECDSA P-384 signature (DER, 102–104 bytes).
  const sigLength = [102, 103, 104].find((n) => message.readUInt16BE(message.length - 2 - n) === n);
  if (sigLength === undefined) throw new Error("no signature footer found");
  const footer = message.length - 2 - sigLength;
  return {
    header: 10, // inside the message id
    body: footer - 16 - 3, // inside the final frame's encrypted content
    "auth tag": footer - 5, // inside the final frame's tag
    signature: message.length - 10,
  };
}

describe("tampering: every damaged file is refused with SEALED_CORRUPT and exit 125", () => {
  const corrupt = (where: string, what: string): string =>
    errorLine(
      `${where} is not an intact sealed env file (${what}); it was damaged or tampered with: restore it from its source`,
      "SEALED_CORRUPT",
    );
  const checksFailed = "a check of the header, body, authentication tag or signature failed";

  test.each(["header", "body", "auth tag", "signature"])(
    "one byte changed in the %s",
    async (region) => {
      const message = Buffer.from(readFileSync(sealedFile, "latin1"), "base64");
      const at = regions(message)[region] ?? 0;
      message[at] = (message[at] ?? 0) ^ 0x01;
      const damaged = file(
        `tampered-${region.replace(" ", "-")}`,
        `${message.toString("base64")}\n`,
      );
      const result = await unseal([damaged]);
      expect(result).toMatchObject({
        exitCode: 125,
        stdout: "",
        stderr: corrupt(damaged, checksFailed),
      });
      expectNoLeak(result, canaries);
    },
  );

  test("a file cut short", async () => {
    const message = Buffer.from(readFileSync(sealedFile, "latin1"), "base64");
    const damaged = file("truncated", message.subarray(0, message.length - 40).toString("base64"));
    const result = await unseal([damaged]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: corrupt(damaged, checksFailed),
    });
  });

  test("a file cut inside its header", async () => {
    const damaged = file("truncated-header", readFileSync(sealedFile, "latin1").slice(0, 100));
    const result = await unseal([damaged]);
    expect(result.stderr).toBe(corrupt(damaged, "its header is cut short"));
  });

  test.each([
    ["an empty file", ""],
    ["base64 of garbage", Buffer.from("not an encryption sdk message at all").toString("base64")],
    ["a plain env file", plaintext],
  ])("%s is not sealed", async (name, content) => {
    const where = file(name.replace(/ /g, "-"), content);
    const result = await unseal([where]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine(
        `${where} is not a sealed env file (no AWS Encryption SDK message header); seal it with "s3-kms-env seal"`,
        "NOT_SEALED",
      ),
    });
    expectNoLeak(result, canaries);
  });
});

describe("KMS", () => {
  test("unseal makes exactly one KMS call, a Decrypt", async () => {
    expect(await kmsTargets((endpoint) => unseal([sealedFile], { endpoint }))).toEqual([
      "TrentService.Decrypt",
    ]);
  });

  test("seal makes exactly one KMS call, a GenerateDataKey", async () => {
    expect(await kmsTargets((endpoint) => seal([plainFile], { endpoint }))).toEqual([
      "TrentService.GenerateDataKey",
    ]);
  });
});
