// Node puts a pipe on fd 0, 1 or 2 into non-blocking mode as soon as the
// matching process.std* stream exists, and something as indirect as
// destroying a socket creates process.stderr (net.js compares against it).
// O_NONBLOCK lives in the open file description, so it survives execve: an
// app writing a burst to a slow log reader would get EAGAIN after 64 KiB.
// The flags are read before any of that can happen and put back before exec.
import { readFileSync } from "node:fs";

const O_NONBLOCK = 0o4000;
const STDIO = [0, 1, 2] as const;
type StdioFd = (typeof STDIO)[number];

/** The fd's open flags from /proc, or undefined where /proc cannot tell. */
function openFlags(fd: number): number | undefined {
  try {
    const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "latin1"));
    return m?.[1] === undefined ? undefined : parseInt(m[1], 8);
  } catch {
    return undefined;
  }
}

const nonBlocking = (fd: number): boolean | undefined => {
  const flags = openFlags(fd);
  return flags === undefined ? undefined : (flags & O_NONBLOCK) !== 0;
};

export type StdioState = ReadonlyMap<StdioFd, boolean>;

/** Whether each of fds 0–2 was non-blocking when s3-kms-env started. */
export function captureStdio(): StdioState {
  const state = new Map<StdioFd, boolean>();
  for (const fd of STDIO) {
    const nb = nonBlocking(fd);
    if (nb !== undefined) state.set(fd, nb);
  }
  return state;
}

interface BlockingHandle {
  setBlocking?(blocking: boolean): number;
}

const stream = (fd: StdioFd): { _handle?: BlockingHandle } =>
  (fd === 0 ? process.stdin : fd === 1 ? process.stdout : process.stderr) as unknown as {
    _handle?: BlockingHandle;
  };

/**
 * Clears O_NONBLOCK where Node set it. Only an fd that was blocking at start
 * and is not now is touched, so its stream already exists: asking for it
 * creates nothing.
 */
export function restoreStdio(initial: StdioState): void {
  for (const [fd, wasNonBlocking] of initial) {
    if (wasNonBlocking || nonBlocking(fd) !== true) continue;
    stream(fd)._handle?.setBlocking?.(true);
  }
}
