"""Evidence a run leaves behind: measured delays and text attachments."""
from __future__ import annotations

from collections.abc import Iterable

import allure

DELAY_PREFIX = "delay:"


def attach_text(name: str, text: str) -> None:
    """Attach `text` to the current test's Allure result."""
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def record_delay(user_properties: list, name: str, seconds: float) -> None:
    """Store a measured delay in a test's user_properties (they travel with xdist reports)."""
    user_properties.append((DELAY_PREFIX + name, round(seconds, 3)))
    allure.dynamic.parameter(f"delay {name} (s)", f"{seconds:.3f}", excluded=True)
    attach_text(f"delay: {name}", f"{seconds:.3f} s")


def delays(reports: Iterable) -> list[tuple[str, str, float]]:
    """(test id, delay name, seconds) for every delay recorded in these test reports."""
    found = []
    for report in reports:
        for key, value in getattr(report, "user_properties", []):
            if isinstance(key, str) and key.startswith(DELAY_PREFIX):
                found.append((report.nodeid, key[len(DELAY_PREFIX):], float(value)))
    return sorted(found)


def delay_table(rows: list[tuple[str, str, float]]) -> list[str]:
    """Aligned text lines: seconds, delay name, test."""
    if not rows:
        return []
    width = max(len(name) for _, name, _ in rows)
    return [f"{seconds:8.3f} s  {name:<{width}}  {test}" for test, name, seconds in rows]
