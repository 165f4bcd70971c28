"""Reading what a timed suite run left behind (JUnit XML) and judging it against the goals."""
from __future__ import annotations

import math
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

PREFIXES = ("delay:", "inherent:")  # measured delays, and waits recorded for the bench only
# Delays that are waits Kubernetes imposes (the rest of a test's time is the suite's own).
INHERENT_MARKERS = ("pod start", "ConfigMap edit", "SIGKILL", "buffer flushed", "job complete", "propagation max")


@dataclass
class TestTime:
    """One test case: its wall time and the inherent waits it recorded."""

    name: str
    seconds: float
    outcome: str
    delays: dict[str, float] = field(default_factory=dict)

    @property
    def inherent(self) -> float:
        """Seconds of this test spent in waits Kubernetes imposes (pod start, reload, grace...)."""
        return sum(v for k, v in self.delays.items() if any(m in k for m in INHERENT_MARKERS))


def read_junit(path: Path) -> list[TestTime]:
    """Test cases of a pytest JUnit XML file, with their `delay:` properties."""
    tests = []
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        delays = {p.get("name").split(":", 1)[1]: float(p.get("value"))
                  for p in case.iter("property") if p.get("name", "").startswith(PREFIXES)}
        name = f"{case.get('classname', '').split('.')[-1]}::{case.get('name')}"
        tests.append(TestTime(name, float(case.get("time", 0)), outcome, delays))
    return tests


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile by nearest rank (no interpolation), of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def spread(values: list[float]) -> dict[str, float]:
    """min, median, p95, max of a non-empty list, rounded to ms."""
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3),
            "p95": round(percentile(values, 0.95), 3), "max": round(max(values), 3)}


@dataclass(frozen=True)
class Goal:
    """A measured value against its target."""

    name: str
    measured: float
    target: float
    unit: str = "s"

    @property
    def met(self) -> bool:
        return self.measured <= self.target

    def line(self) -> str:
        verdict = "met" if self.met else "MISSED"
        return f"{self.name}: {self.measured:.1f}{self.unit} vs target {self.target:.1f}{self.unit} -> {verdict}"
