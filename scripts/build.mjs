// Bundle src/ into one CommonJS file. ESM entry points ("module" first) let
// esbuild tree-shake the AWS SDK's parts; dynamic imports stay lazy wrappers
// so commands and providers off the hot path are parsed but never evaluated.
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

const result = await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/s3-kms-env.cjs",
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  mainFields: ["module", "main"],
  banner: { js: "#!/usr/bin/env node" },
  define: { S3_KMS_ENV_VERSION: JSON.stringify(version) },
  legalComments: "none",
  minifySyntax: true,
  // Turn import() of Node built-ins into require(): Node's ESM loader would
  // build a facade of node:http whose getters load undici (~15 ms per start).
  supported: { "dynamic-import": false },
  metafile: true,
  sourcemap: process.argv.includes("--sourcemap"),
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dist/s3-kms-env.cjs: ${Math.round(bytes / 1024)} KiB`);
