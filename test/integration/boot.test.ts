// The boot loader (dist/s3-kms-env.cjs, src/boot.ts): it runs the core with
// the V8 code cache the build trained, falls back to compiling the core when
// V8 refuses that cache, and fails with one line when the core is missing.
// The sealed chunk (dist/vendor/sealed.cjs) likewise, with its own cache.
import { copyFileSync, cpSync, existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ExecFixture, runExec, ScratchDir } from "../support/exec";
import { BINARY_PATH, CLI_PATH, nodeBinary } from "../support/run-cli";

const DIST = path.dirname(CLI_PATH);
const CORE = "s3-kms-env-core.js";
const CODE_CACHE = "s3-kms-env-core.v8cache";
const START_UP = /^s3-kms-env: debug: start-up \(code_cache=(\w+)\)\n/;
const SEALED_CACHE = "vendor/sealed.v8cache";
const SEALED_CHUNK = /^s3-kms-env: debug: sealed chunk \(code_cache=(\w+)\)\n/m;

let fx: ExecFixture;
let scratch: ScratchDir;
let uri: string;
let sealedUri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("boot");
  scratch = new ScratchDir();
  uri = await fx.put("DB_PASSWORD=s3cr3t-pw\n");
  sealedUri = await fx.putSealed(scratch.file("sealed.env", "DB_PASSWORD=s3cr3t-pw\n", 0o600));
});

afterAll(() => {
  fx?.destroy();
  scratch?.remove();
});

/** A copy of dist/ without the single binary, with `change` applied to it. */
function distCopy(change: (dir: string) => void): string[] {
  const dir = scratch.dir("dist");
  for (const file of ["s3-kms-env.cjs", CORE, CODE_CACHE]) {
    copyFileSync(path.join(DIST, file), path.join(dir, file));
  }
  cpSync(path.join(DIST, "vendor"), path.join(dir, "vendor"), { recursive: true });
  change(dir);
  return [nodeBinary(), path.join(dir, "s3-kms-env.cjs")];
}

async function debugExec(executable?: readonly string[], source = uri) {
  return runExec({
    ...(executable ? { executable } : {}),
    flags: ["--debug", "--kms-key-id", fx.kmsKey.arn],
    sources: [source],
    command: ["printenv", "DB_PASSWORD"],
  });
}

test("the bundle runs its core from the build's code cache", async () => {
  const result = await debugExec();
  expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
  expect(result.stderr).toMatch(START_UP);
  expect(START_UP.exec(result.stderr)?.[1]).toBe("accepted");
});

test("the single binary runs its core from the code cache in its assets", async () => {
  // A missing binary fails here (npm test builds it first); it is never a skip.
  expect(existsSync(BINARY_PATH)).toBe(true);
  const result = await debugExec([BINARY_PATH]);
  expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
  expect(START_UP.exec(result.stderr)?.[1]).toBe("accepted");
});

test("a code cache V8 refuses is ignored: the core is compiled and the app starts", async () => {
  const executable = distCopy((dir) =>
    writeFileSync(path.join(dir, CODE_CACHE), Buffer.alloc(4096, 0x5a)),
  );
  const result = await debugExec(executable);
  expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
  expect(START_UP.exec(result.stderr)?.[1]).toBe("rejected");
});

test("without a code cache the core is compiled and the app starts", async () => {
  const executable = distCopy((dir) => rmSync(path.join(dir, CODE_CACHE)));
  const result = await debugExec(executable);
  expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
  expect(START_UP.exec(result.stderr)?.[1]).toBe("absent");
});

describe("the sealed chunk", () => {
  test("the bundle compiles it with the build's code cache", async () => {
    const result = await debugExec(undefined, sealedUri);
    expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
    expect(SEALED_CHUNK.exec(result.stderr)?.[1]).toBe("accepted");
  });

  test("the single binary compiles it with the code cache in its assets", async () => {
    const result = await debugExec([BINARY_PATH], sealedUri);
    expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
    expect(SEALED_CHUNK.exec(result.stderr)?.[1]).toBe("accepted");
  });

  test("a cache V8 refuses is ignored: the chunk is compiled and the app starts", async () => {
    const executable = distCopy((dir) =>
      writeFileSync(path.join(dir, SEALED_CACHE), Buffer.alloc(4096, 0x5a)),
    );
    const result = await debugExec(executable, sealedUri);
    expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
    expect(SEALED_CHUNK.exec(result.stderr)?.[1]).toBe("rejected");
  });

  test("without its cache the chunk is compiled and the app starts", async () => {
    const executable = distCopy((dir) => rmSync(path.join(dir, SEALED_CACHE)));
    const result = await debugExec(executable, sealedUri);
    expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
    expect(SEALED_CHUNK.exec(result.stderr)?.[1]).toBe("absent");
  });

  test("a plain start does not name it", async () => {
    const result = await debugExec();
    expect(result.stderr).not.toMatch(/sealed chunk/);
  });
});

test("without the core, exec fails with 125 and one line naming the missing file", async () => {
  const marker = scratch.marker();
  const executable = distCopy((dir) => rmSync(path.join(dir, CORE)));
  const result = await runExec({ executable, sources: [uri], command: marker.command });
  expect(result).toMatchObject({ exitCode: 125, stdout: "" });
  expect(result.stderr).toBe(
    `s3-kms-env: error: ${CORE} is missing beside ${executable[1]}; reinstall s3-kms-env\n`,
  );
  expect(marker.ran()).toBe(false);
});
