// PID 1 as in a container: `unshare --pid --fork --mount-proc` makes a PID
// namespace whose first process is the command it is given.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export const UNSHARE: readonly string[] = ["unshare", "--pid", "--fork", "--mount-proc"];

/** The one child process of `pid` (unshare's: PID 1 of its namespace), from /proc. */
export async function onlyChild(pid: number): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    if (children !== "") return Number(children);
    await sleep(10);
  }
  throw new Error(`process ${pid} has no child`);
}
