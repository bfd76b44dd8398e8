// render's file: written so that a reader sees the old file or the new one,
// never a part of either, and only where it stays in memory. A temp file in
// the same directory (O_EXCL, O_NOFOLLOW, mode 0600), written and fsynced,
// renamed over the path, then the directory fsynced. A symbolic link at the
// path is refused (it would say where the secrets go), and so is a directory
// on a disk-backed filesystem unless the operator allows it.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { S3KmsEnvError } from "../errors";

/** statfs f_type of the in-memory filesystems (linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;
export const RAMFS_MAGIC = 0x858458f6;

/** Names for the f_type values an error is likely to meet. */
const FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [TMPFS_MAGIC, "tmpfs"],
  [RAMFS_MAGIC, "ramfs"],
  [0xef53, "ext2/3/4"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x794c7630, "overlayfs"],
  [0x2fc12fc1, "zfs"],
  [0x6969, "nfs"],
  [0xff534d42, "cifs"],
  [0x65735546, "fuse"],
  [0x01021997, "9p"],
  [0x4d44, "vfat"],
  [0x5346544e, "ntfs"],
  [0x73717368, "squashfs"],
]);

export function filesystemName(type: number): string {
  const hex = `0x${(type >>> 0).toString(16)}`;
  const name = FILESYSTEMS.get(type >>> 0);
  return name === undefined ? `filesystem type ${hex}` : `${name} (${hex})`;
}

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : "error";
}

function cannotWrite(target: string, err: unknown): S3KmsEnvError {
  return new S3KmsEnvError(
    "CANNOT_WRITE_FILE",
    `cannot write ${target} (${errnoOf(err)}); it was left as it was`,
  );
}

/**
 * Refuses a path render must not write: a symbolic link, anything but a
 * regular file, a directory on disk without `allowDisk`. Run before the
 * fetch (a wrong path fails at once) and again before the write.
 */
export function checkTarget(target: string, allowDisk: boolean): void {
  let stat;
  try {
    stat = lstatSync(target);
  } catch (err) {
    if (errnoOf(err) !== "ENOENT") throw cannotWrite(target, err);
  }
  if (stat?.isSymbolicLink()) {
    throw new S3KmsEnvError(
      "UNSAFE_PATH",
      `${target} is a symbolic link; refusing to follow it. Give the path of the file itself`,
    );
  }
  if (stat !== undefined && !stat.isFile()) {
    throw new S3KmsEnvError(
      "UNSAFE_PATH",
      `${target} exists and is not a regular file; refusing to replace it`,
    );
  }
  const dir = path.dirname(path.resolve(target));
  let type: number;
  try {
    type = statfsSync(dir).type;
  } catch (err) {
    throw cannotWrite(target, err);
  }
  if (!allowDisk && type >>> 0 !== TMPFS_MAGIC && type >>> 0 !== RAMFS_MAGIC) {
    throw new S3KmsEnvError(
      "NOT_TMPFS",
      `${dir} is on ${filesystemName(type)}, not tmpfs or ramfs: the secrets would reach a disk. ` +
        "Write to an in-memory volume (Kubernetes emptyDir with medium: Memory, /run/secrets, " +
        "/dev/shm), or pass --allow-disk if this is intended",
    );
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to clean up.
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `target` with `text`, atomically and durably, mode 0600. On any
 * failure the temp file is removed and `target` is as it was. Synchronous:
 * a signal is handled only once the file is complete or untouched.
 */
export function writeAtomically(target: string, text: string, allowDisk: boolean): void {
  checkTarget(target, allowDisk);
  const dir = path.dirname(path.resolve(target));
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  const bytes = Buffer.from(text, "utf8");
  let created = false;
  try {
    const fd = openSync(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    created = true;
    try {
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // Again, just before: a link put there during the fetch is not followed either.
    checkTarget(target, allowDisk);
    renameSync(temp, target);
    created = false;
  } catch (err) {
    if (created) removeQuietly(temp);
    if (err instanceof S3KmsEnvError) throw err;
    throw cannotWrite(target, err);
  } finally {
    bytes.fill(0);
  }
  try {
    fsyncDirectory(dir);
  } catch (err) {
    throw new S3KmsEnvError(
      "CANNOT_WRITE_FILE",
      `wrote ${target}, but could not flush its directory to storage (${errnoOf(err)})`,
    );
  }
}
