"""Node CPU above the idle rate while something runs: in all (bench.nodecpu) and by part of the
node (bench.nodeparts), as a Cost that adds up and scales.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from . import nodeparts
from .nodecpu import NodeCpu

# The idle rate is the lowest of IDLE_WINDOWS looks of IDLE_WINDOW_S each: a cluster just created,
# or just rid of a run's namespaces, is busier than idle for its first ~10 s (measured here).
IDLE_WINDOWS, IDLE_WINDOW_S = 3, 10.0


@dataclass(frozen=True)
class Cost:
    """CPU seconds in all, and by part of the node (None: a cgroup v2 node, parts not measured)."""

    total: float
    parts: dict[str, float] | None = None


def combine(terms: list[tuple[float, Cost]]) -> Cost:
    """The sum of factor x cost over `terms`, in all and part by part."""
    total = sum(factor * cost.total for factor, cost in terms)
    if any(cost.parts is None for _, cost in terms):
        return Cost(total)
    parts: dict[str, float] = {}
    for factor, cost in terms:
        for part, seconds in cost.parts.items():
            parts[part] = parts.get(part, 0.0) + factor * seconds
    return Cost(total, parts)


class Meter:
    """Measures the idle rates once, then what an action costs above them."""

    def __init__(self, nodes: NodeCpu):
        self.nodes = nodes
        self.idle = 0.0
        self.idle_parts: dict[str, float] | None = None

    def _parts(self) -> tuple[dict[str, float] | None, float]:
        """A snapshot of the parts, and the monotonic time halfway through taking it (~0.3 s)."""
        started = time.monotonic()
        parts = nodeparts.snapshot(self.nodes.containers)
        return parts, (started + time.monotonic()) / 2

    def _parts_used(self, before: tuple[dict[str, float] | None, float]) -> tuple[dict[str, float] | None, float]:
        """CPU seconds by part since the `before` snapshot, and the seconds between the two."""
        after = self._parts()
        return nodeparts.used(before[0], after[0]), after[1] - before[1]

    def quietest_window(self) -> tuple[float, dict[str, float] | None]:
        """CPU seconds per second in all and by part, in the quietest of IDLE_WINDOWS windows."""
        windows = []
        for _ in range(IDLE_WINDOWS):
            parts_before = self._parts()
            before, started = self.nodes.seconds(), time.monotonic()
            time.sleep(IDLE_WINDOW_S)  # the measurement itself: nothing to wait for
            rate = (self.nodes.seconds() - before) / (time.monotonic() - started)
            used, elapsed = self._parts_used(parts_before)
            windows.append((rate, None if used is None else {part: s / elapsed for part, s in used.items()}))
        return min(windows, key=lambda window: window[0])

    def measure_idle(self) -> float:
        """Take the quietest window's rates as the idle rates `above_idle` subtracts."""
        self.idle, self.idle_parts = self.quietest_window()
        return self.idle

    def idle_for(self, seconds: float) -> Cost:
        """What the idle cluster uses in `seconds`."""
        parts = None if self.idle_parts is None else {p: rate * seconds for p, rate in self.idle_parts.items()}
        return Cost(self.idle * seconds, parts)

    def above_idle(self, action: Callable[[], None]) -> Cost:
        """What `action` cost above the idle rates. The parts are taken
        around the window of the total, and their idle subtracted over their own window; the
        snapshots' own ~45 ms of node CPU stay in the parts."""
        parts_before = self._parts()
        before, started = self.nodes.seconds(), time.monotonic()
        action()
        wall = time.monotonic() - started
        total = self.nodes.seconds() - before - self.idle * wall
        used, elapsed = self._parts_used(parts_before)
        idle_parts = self.idle_for(elapsed).parts
        parts = None if used is None or idle_parts is None else {
            part: seconds - idle_parts.get(part, 0.0) for part, seconds in used.items()}
        return Cost(total, parts)
