// The values scripts/build.mjs writes into the bundles (esbuild `define`),
// declared once. Each is replaced by a string literal at build time; in unit
// tests (ts-jest, no build) none of them exists, so only code that tests do
// not run may read them.

/** package.json's version (core and ops bundle): `s3-kms-env --version`. */
declare const S3_KMS_ENV_VERSION: string;

/**
 * Where the lazily loaded files are, relative to the bundle that loads them
 * (boot/lazy-load.ts): "vendor" from dist/ (the core), "." from dist/vendor/
 * (the ops bundle).
 */
declare const S3_KMS_ENV_VENDOR_DIR: string;

/** The core's file name (scripts/dist-layout.mjs CORE_FILE), beside the loader or a SEA asset. */
declare const S3_KMS_ENV_CORE_FILE: string;

/** The core's V8 code cache (scripts/dist-layout.mjs CODE_CACHE_FILE), likewise. */
declare const S3_KMS_ENV_CODE_CACHE_FILE: string;

/**
 * The project chunks (dist/vendor/NAME.cjs) that have a trained V8 code cache
 * beside them, vendor/NAME.v8cache (scripts/build-contract.mjs TRAINED_CHUNKS).
 */
declare const S3_KMS_ENV_TRAINED_CHUNKS: readonly string[];
