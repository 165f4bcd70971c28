"""Where a kind node's CPU goes: the control plane, the kubelet, the container runtime, the
test Pods. Read inside each node container (`docker exec`), as cumulative seconds.

On a cgroup v1 node: cpuacct of the node, of kubelet.slice (every Pod) and of each system
Pod's slice (named through `crictl pods`); /proc of kubelet and containerd (their own time
and that of the children they waited for: mounts, CNI plugins) and of PID 1, systemd (its
own time: a cgroup scope per container; and the exited containerd shims it reaped, with the
runc calls and container processes they reaped in turn). Pods' cgroups go when the Pods go,
but their time stays counted in kubelet.slice: "test Pods" is what remains of it after the
system Pods, and runc and shims is what systemd reaped less that. Measured across a run
whose Pods are all gone at its end. A cgroup v2 node is not measured (None).
"""
from __future__ import annotations

import json

from helpers.kube import children

CLOCK_TICKS = 100  # USER_HZ: /proc/<pid>/stat counts in 1/100 s on Linux
SNAPSHOT_TIMEOUT = 30.0
# The Pods the node runs, as one line of JSON. printf, not echo: dash's echo turns the "\n" escapes in
# JSON strings (such as kubectl's last-applied annotation) into line breaks.
PODS_LINE = "printf 'crictl %s\\n' \"$(crictl pods -o json | tr -d '\\n')\"\n"
SCRIPT = r"""
cg=/sys/fs/cgroup/cpuacct
[ -f $cg/cpuacct.usage ] || { echo "cgroup v2"; exit 0; }
echo "cg node $(cat $cg/cpuacct.usage)"
echo "cg pods $(cat $cg/kubelet.slice/cpuacct.usage)"
for d in $cg/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-*.slice/kubelet-kubepods-*-pod*.slice \
         $cg/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod*.slice; do
  [ -d "$d" ] || continue
  uid=${d##*pod}; echo "cg pod:${uid%.slice} $(cat $d/cpuacct.usage)"
done
for p in $(pgrep -x kubelet) $(pgrep -x containerd) 1; do
  echo "proc $(cat /proc/$p/comm) $(cut -d' ' -f14-17 /proc/$p/stat)"
done
""" + PODS_LINE
# kube-system Pods by name prefix; any other Pod the node ran is a test Pod
SYSTEM_PODS = {"kube-apiserver-": "API server", "etcd-": "etcd", "kube-controller-manager-": "controller-manager",
               "kube-scheduler-": "scheduler"}
OTHER_SYSTEM = "kube-proxy, CNI, CoreDNS, storage"
KUBELET, CONTAINERD = "kubelet", "containerd (and CNI plugins)"
SYSTEMD, RUNC = "systemd (a cgroup scope per container)", "runc and containerd shims"
TEST_PODS = "test Pods (their processes, execs, exec probes)"
REST = "rest of the node (journald, dbus, shims still running)"


def parse(text: str) -> dict[str, float] | None:
    """Cumulative CPU seconds by part, from SCRIPT's output (None on a cgroup v2 node)."""
    if text.strip() == "cgroup v2":
        return None
    cgroups: dict[str, float] = {}
    processes: dict[str, tuple[float, float]] = {}  # own seconds, seconds of children reaped
    system_uids: dict[str, str] = {}
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "cg":
            name, value = rest.split()
            cgroups[name] = int(value) / 1e9
        elif kind == "proc":
            name, utime, stime, cutime, cstime = rest.split()
            processes[name] = ((int(utime) + int(stime)) / CLOCK_TICKS, (int(cutime) + int(cstime)) / CLOCK_TICKS)
        elif kind == "crictl":
            for pod in json.loads(rest)["items"]:
                meta = pod["metadata"]
                if meta["namespace"] == "kube-system":
                    system_uids[meta["uid"].replace("-", "_")] = next(
                        (part for prefix, part in SYSTEM_PODS.items() if meta["name"].startswith(prefix)), OTHER_SYSTEM)
    parts = {part: 0.0 for part in [*SYSTEM_PODS.values(), OTHER_SYSTEM]}
    for name, seconds in cgroups.items():
        uid = name.removeprefix("pod:")
        if uid in system_uids:
            parts[system_uids[uid]] += seconds
    parts[TEST_PODS] = cgroups["pods"] - sum(parts.values())
    parts[KUBELET] = sum(processes["kubelet"])
    parts[CONTAINERD] = sum(processes["containerd"])
    parts[SYSTEMD], reaped = processes["systemd"]
    parts[RUNC] = reaped - parts[TEST_PODS]
    parts[REST] = cgroups["node"] - cgroups["pods"] - parts[KUBELET] - parts[CONTAINERD] - parts[SYSTEMD] - parts[RUNC]
    return parts


def snapshot(containers: list[str]) -> dict[str, float] | None:
    """The parts of these node containers, summed (None: a node on cgroup v2)."""
    total: dict[str, float] = {}
    for node in containers:
        done = children.run(["docker", "exec", node, "sh", "-c", SCRIPT], capture_output=True, text=True,
                            timeout=SNAPSHOT_TIMEOUT, check=True)
        parts = parse(done.stdout)
        if parts is None:
            return None
        for part, seconds in parts.items():
            total[part] = total.get(part, 0.0) + seconds
    return total


def used(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, float] | None:
    """CPU seconds by part between two snapshots, largest first."""
    if before is None or after is None:
        return None
    return dict(sorted(((part, after[part] - before.get(part, 0.0)) for part in after), key=lambda kv: -kv[1]))
