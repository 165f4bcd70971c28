"""Reading what a timed suite run left behind (JUnit XML) and judging it against the goals."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reporting.junitstats import read_cases

# Delays that are waits Kubernetes imposes (the rest of a test's time is the suite's own).
INHERENT_MARKERS = ("pod start", "ConfigMap edit", "SIGKILL", "buffer flushed", "job complete", "propagation max")
# bench.json names a test case's outcome by its JUnit element, as it always has.
OUTCOME_NAMES = {"failed": "failure"}


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
    """Test cases of a pytest JUnit XML file, with their `delay:` and `inherent:` properties."""
    return [TestTime(f"{case.classname.split('.')[-1]}::{case.name}", case.seconds,
                     OUTCOME_NAMES.get(case.outcome, case.outcome), case.delays())
            for case in read_cases(path)]


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
