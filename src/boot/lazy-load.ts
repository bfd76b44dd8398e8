// Heavy third-party parts that a plain container start does not need (the
// full credential chain, the KMS and S3 clients, the XML parser, CRC tables)
// are built into separate files, dist/vendor/NAME.cjs, and embedded as
// assets in the single binary. The build redirects `import("pkg")` in src/
// to loadVendor(NAME), so the hot path never even compiles them.
import { join } from "node:path";
import * as vm from "node:vm";
import { seaModule } from "./sea";

const loaded = new Map<string, unknown>();

function fromSeaAsset(sea: typeof import("node:sea"), file: string): unknown {
  const source = sea.getAsset(file, "utf8");
  type CommonJsBody = (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
  ) => void;
  const run = vm.compileFunction(source, ["exports", "require", "module"], {
    filename: file,
  }) as CommonJsBody;
  const module = { exports: {} as unknown };
  // Vendor bundles require nothing but Node's built-ins.
  run(
    module.exports,
    process.getBuiltinModule("node:module").createRequire(process.execPath),
    module,
  );
  return module.exports;
}

export function loadVendor(name: string): unknown {
  let mod = loaded.get(name);
  if (mod === undefined) {
    const sea = seaModule();
    mod = sea
      ? fromSeaAsset(sea, `vendor/${name}.cjs`)
      : // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file beside the bundle, resolved at run time
        require(join(__dirname, S3_KMS_ENV_VENDOR_DIR, `${name}.cjs`));
    loaded.set(name, mod);
  }
  return mod;
}
