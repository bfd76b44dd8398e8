// Where the decrypted file lives while an editor has it: a directory only
// this user can enter (0700) holding a 0600 file, on tmpfs (/dev/shm) when
// there is one so the plaintext never reaches a disk. The whole directory is
// removed, because editors put swap and backup files next to the file.
import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface Workspace {
  readonly dir: string;
  readonly file: string;
  /** (Re)writes the file, private whatever the editor did to it meanwhile. */
  write(text: string): void;
  /** Overwrites and removes everything in it; safe to call more than once. */
  remove(): void;
}

function root(): string {
  try {
    if (statSync("/dev/shm").isDirectory()) {
      accessSync("/dev/shm", constants.W_OK);
      return "/dev/shm";
    }
  } catch {
    // No usable tmpfs: fall back to the temp directory.
  }
  return tmpdir();
}

/** Best effort: on a disk, the blocks of an unlinked file keep its bytes. */
function overwriteFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(dir, entry.name);
    try {
      writeFileSync(file, Buffer.alloc(statSync(file).size));
    } catch {
      // Removed below either way.
    }
  }
}

/** `name` keeps the file's extension for the editor's syntax highlighting. */
export function createWorkspace(name: string): Workspace {
  const dir = mkdtempSync(path.join(root(), "s3-kms-env-"));
  chmodSync(dir, 0o700);
  const file = path.join(dir, name.replace(/[^A-Za-z0-9._-]/g, "_") || "env");
  let removed = false;
  return {
    dir,
    file,
    write(text) {
      writeFileSync(file, text, { mode: 0o600 });
      chmodSync(file, 0o600);
    },
    remove() {
      if (removed) return;
      removed = true;
      try {
        overwriteFiles(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
