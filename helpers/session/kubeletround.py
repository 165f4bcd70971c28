"""One kubelet restart for the run's disrupting tests together. They are collected first, one
per worker where there are enough workers, and no other test takes its share of the nodes
until the round is closed: each prepares its Pod and asks for its node's kubelet to be
restarted; once every one of them has asked (or ended), the first restarts the kubelet, and
every test that asked for that node before that restart began takes it as its own. The round
is closed then, and the other tests start: the nodes are never drained of running tests for a
restart. A test that asks after its node's last restart began (more disrupting tests than
workers, or a node of its own) has its own restart, the nodes then drained as turns.py does.
The processes of a run share the round through files in the run's folder.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Collection
from pathlib import Path

from helpers.kube.kubelet import KubeletRestart
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import wait_until


def _mark_of(member: str) -> str:
    return hashlib.sha256(member.encode()).hexdigest()[:16]


class KubeletRound:
    """This process's view of the run's round of kubelet restarts (files in `folder`)."""

    def __init__(self, folder: Path):
        self.folder = folder / "kubelet-round"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.members: dict[str, str] = {}  # mark -> node id of every disrupting test of the run
        self.together = False  # all of them can run at once (no more of them than workers)

    def expect(self, members: Collection[str], workers: int) -> None:
        """The run's disrupting tests (node ids, the same in every process) and its worker count."""
        self.members = {_mark_of(member): member for member in members}
        self.together = 0 < len(self.members) <= workers

    def is_member(self, nodeid: str) -> bool:
        return _mark_of(nodeid) in self.members

    def _marked(self, kind: str) -> set[str]:
        return {path.name.partition("-")[2] for path in self.folder.glob(f"{kind}-*")}

    def ask(self, member: str) -> float:
        """`member` asks for a restart: the moment it asked (time.monotonic, one clock for the run's processes)."""
        asked = time.monotonic()
        (self.folder / f"asked-{_mark_of(member)}").touch()
        return asked

    def end(self, member: str) -> None:
        """`member` is done (passed, failed or skipped; asked or not)."""
        if self.is_member(member):
            (self.folder / f"ended-{_mark_of(member)}").touch()

    def _not_yet(self, *kinds: str) -> list[str]:
        """The members not marked with any of `kinds`."""
        done = set().union(*(self._marked(kind) for kind in kinds))
        return sorted(member for mark, member in self.members.items() if mark not in done)

    def wait_for_the_others(self, timeout: Timeout) -> None:
        """When they run together: until every disrupting test has asked or ended."""
        if self.together:
            wait_until("every test of the run that restarts a kubelet ready for the restart (asked or ended)",
                       lambda: self._not_yet("asked", "ended"), lambda waiting: not waiting, timeout,
                       show=lambda waiting: f"still preparing: {', '.join(waiting)}")

    def close(self) -> None:
        (self.folder / "closed").touch()

    def is_closed(self) -> bool:
        """A restart of the round happened (or was tried), or every disrupting test ended without one."""
        return (self.folder / "closed").exists() or not self._not_yet("ended")

    def wait_closed(self, timeout: Timeout) -> None:
        """Until the round is closed: the other tests start after it."""
        if not self.is_closed():
            wait_until("the run's kubelet restart round done (the tests that restart a kubelet go first)",
                       self.is_closed, bool, timeout,
                       show=lambda _: f"not yet: asked or ended {sorted(self._marked('asked') | self._marked('ended'))}")

    def record(self, began: float, restart: KubeletRestart) -> None:
        """A restart that began at `began` (time.monotonic), for others that asked before it."""
        document = {"began": began, "node": restart.node, "pid_before": restart.pid_before,
                    "pid_after": restart.pid_after}
        (self.folder / f"restart-{time.monotonic_ns()}.json").write_text(json.dumps(document))

    def since(self, node: str, asked: float) -> KubeletRestart | None:
        """A restart of `node`'s kubelet that began after `asked`, if one was recorded."""
        for path in sorted(self.folder.glob("restart-*.json")):
            document = json.loads(path.read_text())
            if document["node"] == node and document["began"] > asked:
                return KubeletRestart(node, document["pid_before"], document["pid_after"])
        return None
