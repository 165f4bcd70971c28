"""Reading one run's junit file and summarizing many runs."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from helpers.reporting.evidence import DELAY_PREFIX
from helpers.reporting.junitstats import read_cases, spread


@dataclass
class TestRecord:
    """One test's result in one run."""

    passed: bool
    delays: dict[str, float] = field(default_factory=dict)


def read_junit(path: Path) -> dict[str, TestRecord]:
    """{test id: record} of one run; a skipped test is left out, a failed or errored one did not pass."""
    return {f"{case.classname}::{case.name}": TestRecord(case.outcome == "passed", case.delays((DELAY_PREFIX,)))
            for case in read_cases(path) if case.outcome != "skipped"}


def summarize(runs: list[dict[str, TestRecord]]) -> dict:
    """Per test: runs it ran in and passed; per (test, delay): its spread."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    delays: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        for test, record in run.items():
            counts[test][0] += 1
            counts[test][1] += record.passed
            for name, seconds in record.delays.items():
                delays[f"{test} | {name}"].append(seconds)
    return {"runs": len(runs),
            "tests": {test: {"ran": ran, "passed": passed} for test, (ran, passed) in sorted(counts.items())},
            "delays": {key: {"n": len(values), **spread(values)} for key, values in sorted(delays.items())}}


def lines(summary: dict) -> list[str]:
    """The summary as text: failures first, then every test, then the delay spreads."""
    tests = summary["tests"]
    failing = [test for test, c in tests.items() if c["passed"] < c["ran"]]
    out = [f"soak: {summary['runs']} runs, {len(tests)} tests, {len(failing)} with failures"]
    out += [f"{c['passed']:3d}/{c['ran']:<3d} {test}" for test, c in sorted(tests.items(), key=lambda t: t[0] not in failing)]
    out.append("delays (s):   min  median     p95     max  name")
    out += [f"{s['min']:9.3f} {s['median']:7.3f} {s['p95']:7.3f} {s['max']:7.3f}  {key}"
            for key, s in summary["delays"].items()]
    return out
