// The arm64 single binary (dist/s3-kms-env-linux-arm64, made by `npm test`
// before jest and by `npm run release`) run for real under Debian's
// qemu-aarch64-static, with the arm64 glibc, libstdc++ and libatomic of Debian
// multiarch in / (scripts/setup.sh installs them: the loader is then
// /lib/ld-linux-aarch64.so.1, so `-L /` finds everything).
//
// exec's app must be an arm64 program too: the binary checks that the
// command is an ELF for its own architecture, as the kernel of an arm64
// machine would. When the emulated process calls execve, it is this x64
// kernel that loads the app, which needs a binfmt_misc entry for arm64 ELF
// files. That entry is registered in a binfmt_misc instance of a user
// namespace of the test's own (Linux >= 6.7, mounted in a mount namespace
// of its own), so nothing on the machine changes; the app is coreutils' arm64 `env` (unpacked by scripts/setup.sh).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ExecFixture, runExec, ScratchDir } from "../support/exec";
import { runCli, type RunCliOptions } from "../support/run-cli";

const ROOT = path.resolve(__dirname, "../..");
const BINARY = path.join(ROOT, "dist/s3-kms-env-linux-arm64");
const ARM64_ENV = path.join(ROOT, "node_modules/.cache/s3-kms-env/arm64-root/usr/bin/env");
const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
};

const emulated: RunCliOptions = {
  executable: ["qemu-aarch64-static", "-L", "/", BINARY],
  // Seconds under emulation rather than milliseconds.
  timeoutMs: 60_000,
};

/** qemu-aarch64-static for arm64 ELF files (the line Debian's qemu-user-static registers). */
const BINFMT_ARM64 =
  ":s3-kms-env-test-aarch64:M::" +
  "\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:" +
  "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:" +
  "/usr/bin/qemu-aarch64-static:F";

/** Runs the command in a user namespace whose own binfmt_misc runs arm64 programs. */
const WITH_ARM64_BINFMT = [
  "unshare",
  "--user",
  "--map-root-user",
  "--mount",
  "--fork",
  "sh",
  "-c",
  // Mounted in this mount namespace only: the machine's binfmt_misc is untouched.
  `mount -t binfmt_misc none /proc/sys/fs/binfmt_misc && printf '%s' '${BINFMT_ARM64}' > /proc/sys/fs/binfmt_misc/register && exec "$@"`,
  "sh",
];

let fx: ExecFixture;
let uri: string;
let sealedUri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("arm64");
  uri = await fx.put("DB_USERNAME=app_user\nDB_PASSWORD=s3cr3t-pw\n");
  const scratch = new ScratchDir();
  const file = scratch.file("sealed.env", "DB_PASSWORD=s3cr3t-pw\n", 0o600);
  sealedUri = await fx.putSealed(file).finally(() => scratch.remove());
});

afterAll(() => fx?.destroy());

test("the arm64 binary and its app are there (npm test builds one, scripts/setup.sh unpacks the other)", () => {
  expect(existsSync(BINARY)).toBe(true);
  expect(existsSync(ARM64_ENV)).toBe(true);
  expect(readFileSync(BINARY).readUInt16LE(0x12)).toBe(183); // EM_AARCH64
});

test("--version under qemu prints the package's version", async () => {
  const result = await runCli(["--version"], emulated);
  expect(result).toMatchObject({ exitCode: 0, stdout: `s3-kms-env ${version}\n` });
});

test("exec under qemu injects the file into an arm64 env, with its own code cache accepted", async () => {
  const started = performance.now();
  const result = await runExec({
    ...emulated,
    wrapper: WITH_ARM64_BINFMT,
    flags: ["--debug"],
    sources: [uri],
    command: [ARM64_ENV],
  });
  const ms = Math.round(performance.now() - started);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/^DB_PASSWORD=s3cr3t-pw$/m);
  expect(result.stdout).toMatch(/^DB_USERNAME=app_user$/m);
  // The cache trained by the arm64 V8 under qemu; the x64 one would be "rejected".
  expect(result.stderr).toMatch(/^s3-kms-env: debug: start-up \(code_cache=accepted\)$/m);
  expect(result.stderr).toMatch(/^s3-kms-env: loaded 2 variables /m);
  // A curiosity, not a budget: the whole start under emulation.
  console.log(`arm64 exec under qemu-aarch64-static: ${ms} ms wall`);
});

test("a sealed start under qemu compiles the sealed chunk with the arm64 cache", async () => {
  const result = await runExec({
    ...emulated,
    wrapper: WITH_ARM64_BINFMT,
    flags: ["--debug", "--kms-key-id", fx.kmsKey.arn],
    sources: [sealedUri],
    command: [ARM64_ENV],
  });
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/^DB_PASSWORD=s3cr3t-pw$/m);
  // Trained by the arm64 V8 under qemu, like the core's.
  expect(result.stderr).toMatch(/^s3-kms-env: debug: sealed chunk \(code_cache=accepted\)$/m);
});

test("the arm64 binary refuses an x64 app as the kernel of an arm64 machine would", async () => {
  const result = await runExec({ ...emulated, sources: [uri], command: ["/usr/bin/env"] });
  expect(result.exitCode).toBe(126);
  expect(result.stderr).toMatch(
    /another architecture \(this is arm64\).*\(code=COMMAND_NOT_EXECUTABLE\)\n$/,
  );
});
