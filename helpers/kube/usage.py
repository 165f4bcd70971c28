"""What this process asked of the cluster: Pods created, execs made, port-forwards opened.

Counted where it happens (TestNamespace.deploy and the namespace fixture, kube.execs,
kube.portforward); reporting.costs gives each test its share.
"""
from __future__ import annotations

from collections import Counter

PODS = "pods"
EXECS = "execs"
PORT_FORWARDS = "port-forwards"

_counts: Counter[str] = Counter()


def count(what: str, n: int = 1) -> None:
    """Add `n` to counter `what` (PODS, EXECS, PORT_FORWARDS)."""
    _counts[what] += n


def snapshot() -> dict[str, int]:
    """The counters now, every one present."""
    return {what: _counts[what] for what in (PODS, EXECS, PORT_FORWARDS)}
