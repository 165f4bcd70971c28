"""Facts about the host that decide how a cluster can be built and run here."""
from __future__ import annotations

from pathlib import Path

CAP_SYS_RESOURCE = 24


def lacks_cap_sys_resource(status_file: Path = Path("/proc/self/status")) -> bool:
    """True when CAP_SYS_RESOURCE is missing from this process's capability bounding set.

    On such hosts `docker run --privileged` fails ("unable to apply caps") and negative
    oom_score_adj writes are denied, so runc and containerd need the workarounds.
    """
    for line in status_file.read_text().splitlines():
        if line.startswith("CapBnd:"):
            return not (int(line.split()[1], 16) >> CAP_SYS_RESOURCE) & 1
    return False


def cgroup_v1(mounts_file: Path = Path("/proc/self/mounts")) -> bool:
    """True unless /sys/fs/cgroup is a pure cgroup v2 mount."""
    for line in mounts_file.read_text().splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[1] == "/sys/fs/cgroup":
            return fields[2] != "cgroup2"
    return True
