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
import { S3KmsEnvError } from "../errors";
import { serverText } from "../log";

export interface Workspace {
  readonly dir: string;
  readonly file: string;
  /** (Re)writes the file, private whatever the editor did to it meanwhile. */
  write(text: string): void;
  /** Overwrites and removes everything in it; safe to call more than once. */
  remove(): void;
}

function defaultRoot(): string {
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

/**
 * The file's name from the object key's last segment, for the editor's
 * syntax highlighting; never a path of its own ("..", ".", "/"), never
 * hidden, never longer than a file name may be.
 */
export function workspaceFileName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^\.+/, "")
    .slice(0, 100);
  return safe === "" ? "env" : safe;
}

function cannotWrite(err: unknown, where: string): S3KmsEnvError {
  const code = serverText((err as { code?: string }).code ?? "write error");
  return new S3KmsEnvError(
    "CANNOT_WRITE_FILE",
    code === "ENOSPC"
      ? `no space left in ${where} for the decrypted copy (ENOSPC); free space there and try again; nothing was uploaded`
      : `cannot write the decrypted copy in ${where} (${code}); nothing was uploaded`,
  );
}

type WriteFile = (file: string, text: string, options: { mode: number }) => void;

/**
 * A private directory under `root` (/dev/shm when usable) for the decrypted
 * copy. Any failure to write it (a full tmpfs) removes what was written and
 * is a CANNOT_WRITE_FILE of its own. `writeFile` is for tests.
 */
export function createWorkspace(
  name: string,
  root = defaultRoot(),
  writeFile: WriteFile = writeFileSync,
): Workspace {
  let dir: string;
  try {
    dir = mkdtempSync(path.join(root, "s3-kms-env-"));
    chmodSync(dir, 0o700);
  } catch (err) {
    throw cannotWrite(err, root);
  }
  const file = path.join(dir, workspaceFileName(name));
  let removed = false;
  const workspace: Workspace = {
    dir,
    file,
    write(text) {
      try {
        writeFile(file, text, { mode: 0o600 });
        chmodSync(file, 0o600);
      } catch (err) {
        workspace.remove();
        throw cannotWrite(err, root);
      }
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
  return workspace;
}
