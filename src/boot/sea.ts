// The single binary keeps its JavaScript in SEA assets instead of files
// beside it; both the boot loader and the vendor loader ask this module
// which of the two they run in.
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
