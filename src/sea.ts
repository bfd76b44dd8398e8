// The single binary keeps its JavaScript in SEA assets instead of files
// beside it; these helpers are what both the boot loader and the vendor
// loader need to tell the two apart and read an asset.
import type * as Sea from "node:sea";

let sea: typeof Sea | undefined | null = null;

/** node:sea when running as the single binary, else undefined. */
export function seaModule(): typeof Sea | undefined {
  if (sea === null) {
    try {
      const mod = process.getBuiltinModule("node:sea");
      sea = mod.isSea() ? mod : undefined;
    } catch {
      // Node without node:sea (before 20): never a single binary.
      sea = undefined;
    }
  }
  return sea;
}
