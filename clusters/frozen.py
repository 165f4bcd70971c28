"""Frozen cgroups left in a kind node on a cgroup v1 host, which stop the node from being deleted.

runc freezes a container's cgroup (v1 freezer) while it sets the container up; a node killed
at that moment (a cluster deleted while its Pods start) keeps that cgroup FROZEN, its tasks
(`runc:[2:INIT]`) never see SIGKILL, and `docker rm -f` of the node fails with "did not
receive an exit event" (seen here deleting a cluster just created). Thawing those cgroups
lets the kill through.
"""
from __future__ import annotations

from pathlib import Path

from .steps import output_of

FREEZER_ROOT = Path("/sys/fs/cgroup/freezer")  # the v1 freezer hierarchy (absent on a cgroup v2 host)
STUCK_STATES = ("FROZEN", "FREEZING")


def freezer_dir(init_pid: int, proc: Path = Path("/proc"), root: Path = FREEZER_ROOT) -> Path | None:
    """The freezer cgroup folder of process `init_pid`, or None (no such process, no v1 freezer)."""
    try:
        lines = (proc / str(init_pid) / "cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "freezer" in controllers.split(","):
            return root / path.lstrip("/")
    return None


def thaw_tree(top: Path) -> list[Path]:
    """Thaw every frozen cgroup at or under `top`; the folders thawed."""
    thawed = []
    for state in sorted(top.rglob("freezer.state")) if top.is_dir() else []:
        try:
            if state.read_text().strip() in STUCK_STATES:
                state.write_text("THAWED")
                thawed.append(state.parent)
        except OSError:  # gone meanwhile, or not ours to write: nothing to thaw there
            continue
    return thawed


def thaw_nodes(nodes: list[str]) -> list[Path]:
    """Thaw the frozen cgroups inside node containers `nodes`; the folders thawed."""
    thawed = []
    for node in nodes:
        pid = output_of(["docker", "inspect", "-f", "{{.State.Pid}}", node], timeout=30).strip()
        top = freezer_dir(int(pid)) if pid.isdigit() and pid != "0" else None
        thawed += thaw_tree(top) if top is not None else []
    return thawed
