"""What this process asked of the cluster: Pods created, execs made, port-forwards opened.

An observer of the cluster layer (kube.observers); reporting.costs gives each test its share.
"""
from __future__ import annotations

from collections import Counter

from helpers.kube import observers

PODS = "pods"
EXECS = "execs"
PORT_FORWARDS = "port-forwards"

_counts: Counter[str] = Counter()


def count(event: observers.Event) -> None:
    """Count a created Pod, an exec or a port-forward."""
    if event.what == observers.CREATE and event.fields["doc"].get("kind") == "Pod":
        _counts[PODS] += 1
    elif event.what == observers.EXEC:
        _counts[EXECS] += 1
    elif event.what == observers.PORT_FORWARD:
        _counts[PORT_FORWARDS] += 1


def count_pods(n: int) -> None:
    """Count Pods made by others on the test's behalf (a Job's)."""
    _counts[PODS] += n


def snapshot() -> dict[str, int]:
    """The counters now, every one present."""
    return {what: _counts[what] for what in (PODS, EXECS, PORT_FORWARDS)}
