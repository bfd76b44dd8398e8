import { EventEmitter } from "node:events";
import { FORWARDED, spawnAndForward } from "../../src/exec/run";

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
