"""A test's cost, stored with its results: what it asked of the cluster (reporting.usage) and the
CPU time of its process and that process's finished children (kubectl port-forward).

Written as `cost:` properties, which `make bench` reads from the JUnit file.
"""
from __future__ import annotations

import resource

from helpers.reporting import usage

COST_PREFIX = "cost:"
HARNESS_CPU = "harness cpu s"


def cpu_seconds() -> float:
    """User + system CPU of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class CostMeter:
    """Started before a test's setup; `record` appends what it cost since then."""

    def __init__(self) -> None:
        self.counts = usage.snapshot()
        self.cpu = cpu_seconds()

    def record(self, user_properties: list) -> None:
        """Append the test's counts and harness CPU seconds as `cost:` properties."""
        now = usage.snapshot()
        user_properties.extend((COST_PREFIX + what, now[what] - self.counts[what]) for what in now)
        user_properties.append((COST_PREFIX + HARNESS_CPU, round(cpu_seconds() - self.cpu, 3)))
