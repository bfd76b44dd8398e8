// What an audit event says about where it ran depends on the machine: inside
// a container (a CI runner, say) it names the container. The CLI runs in the
// test's own container, so the test reads the same /proc files.
import { readFileSync } from "node:fs";
import { containerIdFrom } from "../../src/audit/host";

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** `{ container }` as the CLI's events will have it here, or nothing outside a container. */
export function containerField(): { readonly container?: string } {
  const id = containerIdFrom(readOrEmpty("/proc/self/cgroup"), readOrEmpty("/proc/self/mountinfo"));
  return id === undefined ? {} : { container: id };
}

/** What every event line starts with: its level, message and type, when and where it was made. */
export function eventHead(level: string, msg: string, event: string): Record<string, unknown> {
  return {
    level,
    msg,
    event,
    time: expect.any(String) as string,
    version: "0.2.0",
    host: expect.any(String) as string,
    ...containerField(),
    ms: expect.any(Number) as number,
  };
}
