// Where an event happened: the host name and, inside a container, the
// container's id. Both are read from what the process can see without a
// network call (the HOSTNAME variable, /proc/self/cgroup and
// /proc/self/mountinfo); node:os and node:fs are loaded at every start
// already, so this adds no module to the hot path.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

type Env = Readonly<Record<string, string | undefined>>;

export interface HostFacts {
  readonly host: string | undefined;
  /** The 64-hex container id (Docker, containerd, CRI-O, Kubernetes), when readable. */
  readonly container: string | undefined;
}

// cgroup v1 and a v2 host view: ".../docker/<id>", ".../docker-<id>.scope",
// ".../cri-containerd-<id>.scope", ".../crio-<id>.scope", ".../kubepods/…/<id>".
const CGROUP_ID = /[/-]([0-9a-f]{64})(?:\.scope)?$/m;
// cgroup v2 inside the container shows "0::/", but the runtime bind-mounts
// /etc/hostname (and resolv.conf, hosts) from its per-container directory.
const MOUNT_ID = /\/(?:containers|sandboxes)\/([0-9a-f]{64})\//;

/** The container id in /proc/self/cgroup's text, else in /proc/self/mountinfo's. */
export function containerIdFrom(cgroup: string, mountinfo: string): string | undefined {
  return CGROUP_ID.exec(cgroup)?.[1] ?? MOUNT_ID.exec(mountinfo)?.[1];
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // Not Linux, or a sandbox without /proc: no container id, not an error.
    return "";
  }
}

export function hostFacts(env: Env): HostFacts {
  let host = env.HOSTNAME;
  if (host === undefined || host === "") {
    try {
      host = hostname();
    } catch {
      host = undefined;
    }
  }
  const container = containerIdFrom(
    readOrEmpty("/proc/self/cgroup"),
    readOrEmpty("/proc/self/mountinfo"),
  );
  return { host, container };
}
