"""How xdist hands tests to its workers: each test on its own, except that the tests of a
class, which share the Pods of its `shared_namespace`, go to one worker per sidecar style
(made once there, not once per worker that happens to run one of them)."""
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

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)
