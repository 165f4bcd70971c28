"""Node CPU above the idle rate while something runs: in all (bench.nodecpu) and by part of the
node (bench.nodeparts), as a Cost that adds up and scales.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from . import nodeparts
from .nodecpu import NodeCpu

# The idle rate is the lowest of IDLE_WINDOWS looks of IDLE_WINDOW_S each: a cluster just created,
# or just rid of a run's namespaces, is busier than idle for its first ~10 s (measured here).
IDLE_WINDOWS, IDLE_WINDOW_S = 3, 10.0
T = TypeVar("T")


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


@dataclass(frozen=True)
class Window:
    """What the node used while an action ran, idle included: the total over `wall` seconds,
    the parts (if taken) over the `parts_wall` seconds between their snapshots."""

    used: Cost
    wall: float
    parts_wall: float


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

    def measure(self, action: Callable[[], T], parts: bool = True) -> tuple[Window, T]:
        """Run `action`; what the node used meanwhile (the parts' snapshots, ~45 ms of node CPU
        each, are taken around the window of the total), and what `action` returned."""
        before_parts = self._parts() if parts else (None, 0.0)
        before, started = self.nodes.seconds(), time.monotonic()
        returned = action()
        wall = time.monotonic() - started
        total = self.nodes.seconds() - before
        after_parts = self._parts() if parts else (None, 0.0)
        used = nodeparts.used(before_parts[0], after_parts[0])
        return Window(Cost(total, used), wall, after_parts[1] - before_parts[1]), returned

    def quietest_window(self) -> tuple[float, dict[str, float] | None]:
        """CPU seconds per second in all and by part, in the quietest of IDLE_WINDOWS windows."""
        windows = [self.measure(lambda: time.sleep(IDLE_WINDOW_S))[0]  # nothing to wait for: the measurement
                   for _ in range(IDLE_WINDOWS)]
        quietest = min(windows, key=lambda window: window.used.total / window.wall)
        parts = quietest.used.parts
        return (quietest.used.total / quietest.wall,
                None if parts is None else {part: s / quietest.parts_wall for part, s in parts.items()})

    def measure_idle(self) -> float:
        """Take the quietest window's rates as the idle rates `above_idle` subtracts."""
        self.idle, self.idle_parts = self.quietest_window()
        return self.idle

    def idle_in(self, window: Window) -> Cost:
        """What the idle cluster uses in a window: in all over its wall, by part over its parts' wall."""
        parts = None if self.idle_parts is None else {
            part: rate * window.parts_wall for part, rate in self.idle_parts.items()}
        return Cost(self.idle * window.wall, parts)

    def less_idle(self, window: Window) -> Cost:
        """What the node used in a window above the idle rates, in all and by part."""
        return combine([(1.0, window.used), (-1.0, self.idle_in(window))])

    def above_idle(self, action: Callable[[], None]) -> Cost:
        """What `action` cost above the idle rates."""
        return self.less_idle(self.measure(action)[0])
