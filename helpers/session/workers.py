"""How xdist hands tests to its workers: each test on its own, except that the tests of a
class, which share the Pods of its `shared_namespace`, go to one worker per sidecar style
(made once there, not once per worker that happens to run one of them). Units go out in
collection order, which puts the longest first (session.durations), and a worker gets its
next unit only when it is down to one test, so none holds tests another could run."""
from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling


def scope_of(nodeid: str) -> str:
    """"file::Class::test[style]" -> "file::Class[style]"; any other node id is its own scope."""
    path, *names = nodeid.split("::")
    if len(names) != 2:
        return nodeid
    params = names[1].partition("[")[2]
    return f"{path}::{names[0]}" + (f"[{params}" if params else "")


class SharedPodScheduling(LoadScopeScheduling):
    """xdist's load scheduling, with a class of tests (per style) as one unit of work."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        config.option.loadscopereorder = False  # keep the collection's order: longest first

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)

    def _reschedule(self, node) -> None:
        """Give `node` its next unit once it has one test left, the one it runs (xdist waits
        for two): a test queued on a busy worker cannot go to one that is idle at the end."""
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        if self._pending_of(self.assigned_work[node]) <= 1:
            self._assign_work_unit(node)
