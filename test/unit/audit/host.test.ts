import { containerIdFrom } from "../../../src/audit/host";

const ID = "4f1c6a3e8b2d9c0f7e5a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e";

describe("containerIdFrom", () => {
  test.each([
    ["Docker, cgroup v1", `12:pids:/docker/${ID}\n11:memory:/docker/${ID}\n`],
    ["Docker, systemd cgroup v2 host view", `0::/system.slice/docker-${ID}.scope\n`],
    [
      "containerd under Kubernetes",
      `0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${ID}.scope\n`,
    ],
    ["Kubernetes, cgroup v1", `3:cpu:/kubepods/besteffort/pod1234/${ID}\n`],
  ])("%s: the id from /proc/self/cgroup", (_name, cgroup) => {
    expect(containerIdFrom(cgroup, "")).toBe(ID);
  });

  test("cgroup v2 inside the container: the id from the runtime's /etc/hostname mount", () => {
    const mountinfo = `712 700 259:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw - ext4 /dev/root rw\n`;
    expect(containerIdFrom("0::/\n", mountinfo)).toBe(ID);
  });

  test("outside a container: none", () => {
    expect(containerIdFrom("0::/user.slice/user-1000.slice/session-2.scope\n", "")).toBeUndefined();
  });
});
