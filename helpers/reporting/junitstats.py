"""What bench and soak read from a pytest JUnit file, and the statistics they compute."""
from __future__ import annotations

import math
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from helpers.reporting.costs import COST_PREFIX
from helpers.reporting.evidence import DELAY_PREFIX, POD_START_PROPERTY

INHERENT_PREFIX = POD_START_PROPERTY.split(":", 1)[0] + ":"  # waits recorded for the bench only
PREFIXES = (DELAY_PREFIX, INHERENT_PREFIX)
READ_PREFIXES = (*PREFIXES, COST_PREFIX)  # the numeric properties read_cases keeps
# A test case's child element -> its outcome, the first present in this order wins; none: "passed".
# An <error> (e.g. a failing fixture) is never read as passed, nor as skipped.
OUTCOMES = {"failure": "failed", "error": "error", "skipped": "skipped"}


@dataclass(frozen=True)
class JUnitCase:
    """One <testcase>: its wall time, outcome, recorded delays and costs."""

    classname: str
    name: str
    seconds: float
    outcome: str  # passed, failed, error or skipped
    properties: dict[str, float] = field(default_factory=dict)  # full names, e.g. "delay:...", "cost:..."

    def delays(self, prefixes: tuple[str, ...] = PREFIXES) -> dict[str, float]:
        """The properties under `prefixes`, named without their prefix."""
        return {name[len(prefix):]: value for name, value in self.properties.items()
                for prefix in prefixes if name.startswith(prefix)}

    def costs(self) -> dict[str, float]:
        """What the test cost (reporting.costs), named without the prefix."""
        return self.delays((COST_PREFIX,))


def _outcome(case: ET.Element) -> str:
    tags = {child.tag for child in case}
    return next((outcome for tag, outcome in OUTCOMES.items() if tag in tags), "passed")


def read_cases(path: Path) -> list[JUnitCase]:
    """The test cases of a pytest JUnit XML file, in file order."""
    return [JUnitCase(case.get("classname", ""), case.get("name", ""), float(case.get("time", 0)), _outcome(case),
                      {p.get("name"): float(p.get("value")) for p in case.iter("property")
                       if p.get("name", "").startswith(READ_PREFIXES)})
            for case in ET.parse(path).getroot().iter("testcase")]


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile by nearest rank (no interpolation), of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def spread(values: list[float]) -> dict[str, float]:
    """min, median, p95, max of a non-empty list, rounded to ms."""
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3),
            "p95": round(percentile(values, 0.95), 3), "max": round(max(values), 3)}
