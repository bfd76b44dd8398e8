// Bundle src/ into dist/: the boot loader dist/s3-kms-env.cjs (src/boot.ts),
// the core it runs (src/main.ts) with the V8 code cache of a training start
// (scripts/train-code-cache.mjs), and one file per heavy third-party part in
// dist/vendor/ that only some runs need (see src/vendor/load.ts).
// ESM entry points ("module" first) let esbuild tree-shake the AWS SDK.
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import {
  BUNDLE,
  CODE_CACHE,
  CODE_CACHE_FILE,
  CORE,
  CORE_FILE,
  ROOT as root,
} from "./dist-layout.mjs";
import { trainCodeCache } from "./train-code-cache.mjs";

const { version } = JSON.parse(readFileSync(`${root}/package.json`, "utf8"));
const sourcemap = process.argv.includes("--sourcemap");

/** Package imported from src/ → the vendor file that holds it. */
const VENDORS = {
  "@aws-sdk/credential-provider-node": "credential-provider-node",
  "@aws-sdk/credential-provider-http": "credential-provider-http",
  "@aws-sdk/credential-provider-web-identity": "credential-provider-web-identity",
  "@aws-sdk/client-kms": "client-kms",
  "@aws-sdk/client-s3": "client-s3",
  "@aws-sdk/checksums/crc": "checksums-crc",
  "@aws-sdk/checksums/sha": "checksums-sha",
  "@smithy/core/config": "smithy-config",
  "fast-xml-parser": "fast-xml-parser",
  // Only when HTTPS_PROXY/HTTP_PROXY applies (src/aws/proxy.ts).
  "https-proxy-agent": "https-proxy-agent",
};

/** Project code built as a vendor file of its own: the ops commands. */
const OPS_ENTRY = `${root}/src/cli/ops-commands.ts`;

const common = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  mainFields: ["module", "main"],
  legalComments: "none",
  minifySyntax: true,
  sourcemap,
  // Turn import() of Node built-ins into require(): Node's ESM loader would
  // build a facade of node:http whose getters load undici (~15 ms per start).
  supported: { "dynamic-import": false },
  logLevel: "warning",
  metafile: true,
  // https-proxy-agent's `debug` would print the proxy URL (and its password)
  // under DEBUG=*; Negotiate proxy auth needs the optional kerberos package.
  alias: { debug: `${root}/src/vendor/no-debug.ts` },
  external: ["kerberos"],
};

const escape = (s) => s.replace(/[/\\^$*+?.()|[\]{}]/g, "\\$&");
const vendorFilter = new RegExp(
  `^(${Object.keys(VENDORS).map(escape).join("|")}|\\./ops-commands)$`,
);
const loader = `${root}/src/vendor/load.ts`;

/** Imports of the vendor packages from src/ become loadVendor() calls. */
const redirectVendors = {
  name: "redirect-vendors",
  setup(b) {
    b.onResolve({ filter: vendorFilter }, (args) =>
      args.importer.startsWith(`${root}/src/`)
        ? { path: args.path, namespace: "vendor" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "vendor" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(loader)}).loadVendor(${JSON.stringify(VENDORS[args.path] ?? "ops")});`,
      resolveDir: root,
      loader: "js",
    }));
  },
};

/**
 * Built-ins the SDK's parts import at load time but a plain start never uses
 * get a stand-in that loads them on first use: node:https for the HTTP
 * handler (src/vendor/lazy-https.ts), node:crypto for @smithy/core's serde
 * (src/vendor/lazy-crypto.ts).
 */
const LAZY_BUILTINS = [
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
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:(https|crypto)$/ }, (args) => {
      const lazy = LAZY_BUILTINS.find(
        (l) => l.builtin === args.path && args.importer.includes(l.importer),
      );
      return lazy ? { path: `${root}/src/vendor/${lazy.facade}.ts` } : undefined;
    });
  },
};

const outputs = await Promise.all([
  build({
    ...common,
    entryPoints: [`${root}/src/main.ts`],
    outfile: CORE,
    // One function expression, which the loader compiles with vm.Script and
    // calls like Node calls a CommonJS module.
    banner: { js: "(function (exports, require, module, __filename, __dirname) {" },
    footer: { js: "})" },
    plugins: [redirectVendors, lazyBuiltins],
    // @smithy/core binds a UUID generator at load time by probing the global
    // `crypto`, whose getter loads WebCrypto; without it, it falls back to
    // getRandomValues (lazy, above). Nothing in the main bundle uses WebCrypto.
    define: {
      S3_KMS_ENV_VERSION: JSON.stringify(version),
      S3_KMS_ENV_VENDOR_DIR: JSON.stringify("vendor"),
      crypto: "undefined",
    },
  }),
  build({
    ...common,
    entryPoints: [`${root}/src/boot.ts`],
    outfile: BUNDLE,
    banner: { js: "#!/usr/bin/env node" },
    define: {
      S3_KMS_ENV_CORE_FILE: JSON.stringify(CORE_FILE),
      S3_KMS_ENV_CODE_CACHE_FILE: JSON.stringify(CODE_CACHE_FILE),
    },
  }),
  build({
    ...common,
    entryPoints: [OPS_ENTRY],
    outfile: `${root}/dist/vendor/ops.cjs`,
    plugins: [redirectVendors],
    define: {
      S3_KMS_ENV_VERSION: JSON.stringify(version),
      S3_KMS_ENV_VENDOR_DIR: JSON.stringify("."),
    },
  }),
  ...Object.entries(VENDORS).map(([pkg, name]) =>
    build({
      ...common,
      stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: root },
      outfile: `${root}/dist/vendor/${name}.cjs`,
    }),
  ),
]);
// METAFILE=path keeps the core bundle's metafile for `esbuild --analyze`-style reading.
if (process.env.METAFILE) writeFileSync(process.env.METAFILE, JSON.stringify(outputs[0].metafile));
for (const { metafile } of outputs) {
  for (const [file, { bytes }] of Object.entries(metafile.outputs)) {
    if (!file.endsWith(".map"))
      console.log(`${file.replace(/^.*dist\//, "dist/")}: ${Math.round(bytes / 1024)} KiB`);
  }
}
// A cache left from an earlier core would only be rejected; train a new one.
rmSync(CODE_CACHE, { force: true });
await trainCodeCache();
console.log(`dist/${CODE_CACHE_FILE}: ${Math.round(readFileSync(CODE_CACHE).length / 1024)} KiB`);
