// Bundle src/ into dist/: the boot loader dist/s3-kms-env.cjs (src/boot/loader.ts),
// the core it runs (src/boot/core.ts) with the V8 code cache of a training start
// (scripts/train-code-cache.mjs), and one file per heavy third-party part in
// dist/vendor/ that only some runs need (see src/boot/lazy-load.ts).
// ESM entry points ("module" first) let esbuild tree-shake the AWS SDK.
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  BUNDLE,
  CODE_CACHE,
  CODE_CACHE_FILE,
  CORE,
  ROOT as root,
  SEALED_CACHE,
  SEALED_CACHE_FILE,
} from "./dist-layout.mjs";
import {
  CORE_WRAPPER,
  coreDefines,
  LAZY_BUILTINS,
  LOADER_DEFINES,
  opsDefines,
  PACKAGE_STAND_INS,
  PROJECT_CHUNKS,
  VENDORS,
} from "./build-contract.mjs";
import { trainCodeCache } from "./train-code-cache.mjs";

const { version } = JSON.parse(readFileSync(`${root}/package.json`, "utf8"));
const sourcemap = process.argv.includes("--sourcemap");

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
  alias: Object.fromEntries(
    Object.entries(PACKAGE_STAND_INS).map(([pkg, file]) => [pkg, `${root}/src/boot/${file}.ts`]),
  ),
  // Negotiate proxy auth (https-proxy-agent) needs the optional kerberos package.
  external: ["kerberos"],
};

const escape = (s) => s.replace(/[/\\^$*+?.()|[\]{}]/g, "\\$&");
const vendorFilter = new RegExp(`^(${Object.keys(VENDORS).map(escape).join("|")})$`);
const loader = `${root}/src/boot/lazy-load.ts`;
const loadVendorModule = (name) => ({
  contents: `module.exports = require(${JSON.stringify(loader)}).loadVendor(${JSON.stringify(name)});`,
  resolveDir: root,
  loader: "js",
});

/** The project chunk (PROJECT_CHUNKS) a relative import names, by its path without extension. */
const chunkByPath = new Map(
  Object.entries(PROJECT_CHUNKS).map(([name, { entry }]) => [
    path.join(root, entry).replace(/\.ts$/, ""),
    name,
  ]),
);
function projectChunk(args) {
  const target = path.resolve(args.resolveDir, args.path);
  return chunkByPath.get(target) ?? chunkByPath.get(path.join(target, "index"));
}

/**
 * Imports of the vendor packages become loadVendor() calls from src/; from
 * third-party code in a chunk, those in `standIns` get a file of ours
 * (src/boot/<file>.ts) that loads the vendor file only when used. So does an
 * import() of a project chunk; a static import of one would load it at every
 * start, so the build fails.
 */
const redirectVendors = (standIns = {}) => ({
  name: "redirect-vendors",
  setup(b) {
    b.onResolve({ filter: vendorFilter }, (args) => {
      if (args.importer.startsWith(`${root}/src/`)) {
        return { path: VENDORS[args.path], namespace: "vendor" };
      }
      const standIn = standIns[args.path];
      return standIn ? { path: `${root}/src/boot/${standIn}.ts` } : undefined;
    });
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const chunk = projectChunk(args);
      if (chunk === undefined) return undefined;
      if (args.kind !== "dynamic-import") {
        return { errors: [{ text: `import the ${chunk} chunk with import(), not statically` }] };
      }
      return { path: chunk, namespace: "vendor" };
    });
    b.onLoad({ filter: /.*/, namespace: "vendor" }, (args) => loadVendorModule(args.path));
  },
});

/** Which LAZY_BUILTINS entries the core build substituted: each must be, or start-up slows. */
const substituted = new Set();
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:(https|crypto)$/ }, (args) => {
      const lazy = LAZY_BUILTINS.find(
        (l) => l.builtin === args.path && args.importer.includes(l.importer),
      );
      if (lazy) substituted.add(lazy);
      return lazy ? { path: `${root}/src/boot/${lazy.facade}.ts` } : undefined;
    });
  },
};

/** Which PROJECT_CHUNKS `modules` entries were substituted: each must be. */
const replacedModules = new Set();
const replaceModules = (modules = []) => ({
  name: "replace-modules",
  setup(b) {
    for (const module of modules) {
      const filter = new RegExp(`^${escape(module.path)}$`);
      b.onResolve({ filter }, (args) => {
        if (!args.importer.endsWith(module.importer)) return undefined;
        replacedModules.add(module);
        return { path: path.join(root, module.file) };
      });
    }
  },
});

const outputs = await Promise.all([
  build({
    ...common,
    entryPoints: [`${root}/src/boot/core.ts`],
    outfile: CORE,
    // One function expression, which the loader compiles with vm.Script and
    // calls like Node calls a CommonJS module.
    banner: { js: CORE_WRAPPER.banner },
    footer: { js: CORE_WRAPPER.footer },
    plugins: [redirectVendors(), lazyBuiltins],
    define: coreDefines(version),
  }),
  build({
    ...common,
    entryPoints: [`${root}/src/boot/loader.ts`],
    outfile: BUNDLE,
    banner: { js: "#!/usr/bin/env node" },
    define: LOADER_DEFINES,
  }),
  ...Object.entries(PROJECT_CHUNKS).map(([name, { entry, standIns, modules }]) =>
    build({
      ...common,
      entryPoints: [path.join(root, entry)],
      outfile: `${root}/dist/vendor/${name}.cjs`,
      // node:https only when a request needs it here too: describeKey's handler
      // (src/aws/kms-key.ts) is bundled into the sealed chunk.
      plugins: [redirectVendors(standIns), replaceModules(modules), lazyBuiltins],
      define: opsDefines(version),
    }),
  ),
  ...Object.entries(VENDORS).map(([pkg, name]) =>
    build({
      ...common,
      stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: root },
      outfile: `${root}/dist/vendor/${name}.cjs`,
    }),
  ),
]);
const missed = LAZY_BUILTINS.filter((l) => !substituted.has(l));
if (missed.length > 0) {
  throw new Error(
    `the SDK no longer imports ${missed.map((l) => `${l.builtin} from ${l.importer}`).join(", ")}: ` +
      "update LAZY_BUILTINS in scripts/build-contract.mjs, or every start loads that built-in again",
  );
}
const unreplaced = Object.values(PROJECT_CHUNKS)
  .flatMap((chunk) => chunk.modules ?? [])
  .filter((module) => !replacedModules.has(module));
if (unreplaced.length > 0) {
  throw new Error(
    `nothing imports ${unreplaced.map((m) => `${m.path} from ${m.importer}`).join(", ")} any more: ` +
      "update PROJECT_CHUNKS in scripts/build-contract.mjs",
  );
}
// METAFILE=path keeps the core bundle's metafile for `esbuild --analyze`-style reading.
if (process.env.METAFILE) writeFileSync(process.env.METAFILE, JSON.stringify(outputs[0].metafile));
for (const { metafile } of outputs) {
  for (const [file, { bytes }] of Object.entries(metafile.outputs)) {
    if (!file.endsWith(".map"))
      console.log(`${file.replace(/^.*dist\//, "dist/")}: ${Math.round(bytes / 1024)} KiB`);
  }
}
// Caches left from an earlier core or chunk would only be rejected; train new ones.
rmSync(CODE_CACHE, { force: true });
rmSync(SEALED_CACHE, { force: true });
await trainCodeCache();
for (const [file, name] of [
  [CODE_CACHE, CODE_CACHE_FILE],
  [SEALED_CACHE, SEALED_CACHE_FILE],
]) {
  console.log(`dist/${name}: ${Math.round(readFileSync(file).length / 1024)} KiB`);
}
