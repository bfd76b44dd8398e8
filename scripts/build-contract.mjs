// What the build and src/ must agree on, in one place. Each entry names the
// file on the other side; docs/architecture.md says what breaks when one side
// changes alone.
import { CODE_CACHE_FILE, CORE_FILE } from "./dist-layout.mjs";

/**
 * The core (src/boot/core.ts) is one CommonJS body wrapped in a function
 * expression: src/boot/loader.ts compiles it with vm.Script and calls it with
 * exactly these parameters (its `Body` type).
 */
export const CORE_WRAPPER = {
  banner: "(function (exports, require, module, __filename, __dirname) {",
  footer: "})",
};

/**
 * Values written into the bundles (esbuild `define`); their types are declared
 * once, in src/boot/build-constants.d.ts.
 */
export function coreDefines(version) {
  return {
    S3_KMS_ENV_VERSION: JSON.stringify(version),
    S3_KMS_ENV_VENDOR_DIR: JSON.stringify("vendor"),
    S3_KMS_ENV_TRAINED_CHUNKS: JSON.stringify(TRAINED_CHUNKS),
    // @smithy/core binds a UUID generator at load time by probing the global
    // `crypto`, whose getter loads WebCrypto; without it, it falls back to
    // getRandomValues (lazy, see LAZY_BUILTINS). Nothing in the core uses
    // WebCrypto: a core module that did would get `undefined`.
    crypto: "undefined",
  };
}

export const LOADER_DEFINES = {
  S3_KMS_ENV_CORE_FILE: JSON.stringify(CORE_FILE),
  S3_KMS_ENV_CODE_CACHE_FILE: JSON.stringify(CODE_CACHE_FILE),
};

export function opsDefines(version) {
  return {
    S3_KMS_ENV_VERSION: JSON.stringify(version),
    S3_KMS_ENV_VENDOR_DIR: JSON.stringify("."),
    S3_KMS_ENV_TRAINED_CHUNKS: JSON.stringify(TRAINED_CHUNKS),
  };
}

/** Package imported from src/ → the lazily loaded file (dist/vendor/NAME.cjs) that holds it. */
export const VENDORS = {
  "@aws-sdk/credential-provider-node": "credential-provider-node",
  "@aws-sdk/credential-provider-http": "credential-provider-http",
  "@aws-sdk/credential-provider-web-identity": "credential-provider-web-identity",
  "@aws-sdk/client-kms": "client-kms",
  "@aws-sdk/client-s3": "client-s3",
  // An ops write's caller identity (src/ops/caller.ts), for its audit event.
  "@aws-sdk/client-sts": "client-sts",
  "@aws-sdk/checksums/crc": "checksums-crc",
  "@aws-sdk/checksums/sha": "checksums-sha",
  "@smithy/core/config": "smithy-config",
  "fast-xml-parser": "fast-xml-parser",
  // Only when HTTPS_PROXY/HTTP_PROXY applies (src/aws/proxy.ts).
  "https-proxy-agent": "https-proxy-agent",
};

/**
 * Project code built as a lazily loaded file of its own (dist/vendor/NAME.cjs),
 * reached only through import() of its entry: every ops command, and the
 * sealed room with the AWS Encryption SDK (a seal, or a sealed source).
 */
export const PROJECT_CHUNKS = {
  ops: { entry: "src/cli/ops-commands.ts" },
  // The Encryption SDK's KMS keyring imports @aws-sdk/client-kms at load:
  // `standIns` gives third-party importers src/boot/lazy-client-kms.ts, which
  // loads the client-kms file only if its KMS class is constructed (never in
  // an unseal: Decrypt is the core's lean one, src/aws/kms-decrypt.ts).
  // `modules`: a module of the Encryption SDK replaced by one of ours, by its
  // importer's path and import path: the public key's decompression by
  // OpenSSL (src/sealed/ecc-decode.ts) instead of bn.js, ~10 ms per sealed
  // start. If a release moves that file the build fails (build.mjs).
  sealed: {
    entry: "src/sealed/index.ts",
    standIns: { "@aws-sdk/client-kms": "lazy-client-kms" },
    modules: [
      {
        importer: "/node_modules/@aws-crypto/material-management/build/module/src/signature_key.js",
        path: "./ecc_decode",
        file: "src/sealed/ecc-decode.ts",
      },
    ],
  },
};

/**
 * Project chunks that src/boot/lazy-load.ts compiles with a V8 code cache,
 * dist/vendor/NAME.v8cache (a SEA asset vendor/NAME.v8cache), trained by a
 * start that loads them (scripts/train-code-cache.mjs): a sealed start.
 */
export const TRAINED_CHUNKS = ["sealed"];

/**
 * Packages replaced in every bundle by a file of ours (src/boot/<file>.ts):
 * https-proxy-agent's `debug` would print the proxy URL, its password
 * included, under DEBUG=*.
 */
export const PACKAGE_STAND_INS = { debug: "no-debug" };

/**
 * Built-ins the SDK's parts import at load time but a plain start never uses
 * get a stand-in (src/boot/<facade>.ts) that loads them on first use:
 * node:https for the HTTP handler, node:crypto for @smithy/core's serde.
 * `importer` is a path inside the SDK's packages: if a release moves that
 * file, the substitution no longer happens and every start loads TLS or
 * node:crypto again, so the build fails instead (see build.mjs).
 */
export const LAZY_BUILTINS = [
  {
    builtin: "node:https",
    importer: "/node_modules/@smithy/node-http-handler/",
    facade: "lazy-https",
  },
  {
    builtin: "node:crypto",
    importer: "/node_modules/@smithy/core/dist-es/submodules/serde/index.js",
    facade: "lazy-crypto",
  },
];
