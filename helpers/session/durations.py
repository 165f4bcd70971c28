"""How long each test took when `make bench` last timed it alone (suites/durations.json), so
that the longest units of work start first: a long test started last becomes the run's tail."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from helpers.pins import REPO_ROOT

DURATIONS_FILE = REPO_ROOT / "suites" / "durations.json"
ABOUT = ("seconds each test took in make bench's one-worker run (written by it); the suite starts"
         " the longest units of work first (helpers/session/durations.py)")
T = TypeVar("T")


def load(path: Path = DURATIONS_FILE) -> dict[str, float]:
    """Seconds by test node id; empty when no bench has written the file. ValueError (one
    line) when the file is not one."""
    try:
        return {nodeid: float(seconds) for nodeid, seconds in json.loads(path.read_text())["seconds"].items()}
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a durations file ({exc!r}); delete it or run make bench") from None


def save(seconds: dict[str, float], path: Path = DURATIONS_FILE) -> None:
    """Write `seconds` (by test node id) for later runs to order their work by."""
    rounded = {nodeid: round(value, 1) for nodeid, value in sorted(seconds.items())}
    path.write_text(json.dumps({"about": ABOUT, "seconds": rounded}, indent=1) + "\n")


def longest_first(tests: list[T], nodeid: Callable[[T], str], unit_of: Callable[[str], str],
                  seconds: dict[str, float]) -> list[T]:
    """`tests` with each unit's tests together and in their order, the units by their summed
    seconds, longest first. A unit with a test never timed goes first (it may be the longest);
    ties keep the collection order."""
    units: dict[str, list[T]] = {}
    for test in tests:
        units.setdefault(unit_of(nodeid(test)), []).append(test)

    def expected(unit: list[T]) -> float:
        return sum(seconds.get(nodeid(test), float("inf")) for test in unit)

    return [test for unit in sorted(units.values(), key=expected, reverse=True) for test in unit]
