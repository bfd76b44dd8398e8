import { EventEmitter } from "node:events";
import { execFailure, execveSupport, FORWARDED, spawnAndForward } from "../../../src/exec/launch";
import { exitCodeFor } from "../../../src/cli/exit-codes";

/** A stand-in child process, and what spawnAndForward saw when it spawned it. */
class FakeChild extends EventEmitter {
  readonly killed: NodeJS.Signals[] = [];
  /** process.listenerCount of each forwarded signal at the moment of spawn(). */
  listenersAtSpawn: Record<string, number> = {};

  kill(signal: NodeJS.Signals): boolean {
    this.killed.push(signal);
    return true;
  }
}

const counts = (): Record<string, number> =>
  Object.fromEntries(FORWARDED.map((s) => [s, process.listenerCount(s)]));

/** Runs spawnAndForward with node:child_process's spawn replaced by one returning `child`. */
function spawnFake(child: FakeChild): Promise<number> {
  const real = process.getBuiltinModule.bind(process);
  const spy = jest.spyOn(process, "getBuiltinModule").mockImplementation((id: string) =>
    id === "node:child_process"
      ? {
          spawn: () => {
            child.listenersAtSpawn = counts();
            return child;
          },
        }
      : real(id),
  );
  try {
    return spawnAndForward({ file: "/bin/true", argv: ["true"], env: {} });
  } finally {
    spy.mockRestore();
  }
}

describe("spawnAndForward", () => {
  test("listens for every forwarded signal before the child exists", async () => {
    const before = counts();
    const child = new FakeChild();
    const status = spawnFake(child);
    expect(child.listenersAtSpawn).toEqual(
      Object.fromEntries(FORWARDED.map((s) => [s, (before[s] ?? 0) + 1])),
    );
    child.emit("exit", 0, null);
    await status;
  });

  test("forwards each signal to the child, and stops once it has exited", async () => {
    const before = counts();
    const child = new FakeChild();
    const status = spawnFake(child);
    for (const s of FORWARDED) process.emit(s, s);
    child.emit("exit", 0, null);
    await status;
    expect(child.killed).toEqual([...FORWARDED]);
    expect(counts()).toEqual(before);
  });

  test.each([
    [3, null, 3],
    [null, "SIGTERM", 143],
    [null, "SIGKILL", 137],
  ] as const)("exit code %p / signal %p: resolves to %i", async (code, signal, expected) => {
    const child = new FakeChild();
    const status = spawnFake(child);
    child.emit("exit", code, signal);
    await expect(status).resolves.toBe(expected);
  });
});

describe("execveSupport: whether this Node's process.execve throws or aborts on failure", () => {
  const fn = (): void => {};
  test.each([
    ["26.1.0", "throws"],
    ["26.12.1", "throws"],
    ["27.0.0", "throws"],
    ["26.0.0", "aborts"],
    ["25.9.0", "aborts"],
    ["24.21.0", "aborts"],
    ["22.15.0", "aborts"],
  ] as const)("Node %s: %s", (version, support) => {
    expect(execveSupport({ execve: fn, version })).toBe(support);
  });

  test("no process.execve at all (Node before 22.15): missing", () => {
    expect(execveSupport({ execve: undefined, version: "22.14.0" })).toBe("missing");
  });
});

describe("execFailure: the errno of a refused execve as an exit code and one line", () => {
  const errno = (code: string): Error => Object.assign(new Error(`${code}, boom`), { code });

  test.each([
    ["ENOENT", 127, "COMMAND_NOT_FOUND", "app: not found when it was started (ENOENT)"],
    ["ENOTDIR", 127, "COMMAND_NOT_FOUND", "app: not found when it was started (ENOTDIR)"],
    [
      "E2BIG",
      125,
      "ENV_TOO_LARGE",
      "app: the environment and arguments are too large for this system (E2BIG)",
    ],
    ["EACCES", 126, "COMMAND_NOT_EXECUTABLE", "app: cannot execute: permission denied (EACCES)"],
    [
      "ENOEXEC",
      126,
      "COMMAND_NOT_EXECUTABLE",
      "app: cannot execute: not an executable format the kernel accepts (ENOEXEC)",
    ],
    [
      "ETXTBSY",
      126,
      "COMMAND_NOT_EXECUTABLE",
      "app: cannot execute: text file busy (the file is open for writing) (ETXTBSY)",
    ],
    [
      "ELOOP",
      126,
      "COMMAND_NOT_EXECUTABLE",
      "app: cannot execute: too many symbolic links or nested #! interpreters (ELOOP)",
    ],
    [
      "EWHATEVER",
      126,
      "COMMAND_NOT_EXECUTABLE",
      "app: cannot execute: refused by the kernel (EWHATEVER)",
    ],
  ] as const)("%s: exit %i", (code, exitCode, errorCode, message) => {
    const err = execFailure(errno(code), "app");
    expect({ exitCode: exitCodeFor(err), code: err.code, message: err.message }).toEqual({
      exitCode,
      code: errorCode,
      message,
    });
  });
});
