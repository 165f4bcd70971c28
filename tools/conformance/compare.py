"""Two runs' verdicts side by side: each check's outcome per style, from their summary.json."""
from __future__ import annotations

import json
from pathlib import Path


def check_rows(summary: dict) -> dict[tuple[str, str, str], str]:
    """(behaviour, check, style) -> status, of every check a run reports."""
    return {(behaviour["marker"], check["name"], style): outcome["status"]
            for behaviour in summary["behaviours"] for check in behaviour["checks"]
            for style, outcome in check["styles"].items()}


def compare(first: Path, second: Path) -> tuple[bool, list[str]]:
    """Whether the two runs gave the same verdict and the same outcome for every check; the lines
    that say so (each difference, then the totals)."""
    a, b = (json.loads(path.read_text()) for path in (first, second))
    rows_a, rows_b = check_rows(a), check_rows(b)
    lines = [f"{' / '.join(key)}: {rows_a.get(key, 'absent')} in {first}, {rows_b.get(key, 'absent')} in {second}"
             for key in sorted(rows_a.keys() | rows_b.keys()) if rows_a.get(key) != rows_b.get(key)]
    same = not lines and a["verdict"] == b["verdict"]
    lines.append(f"{'same' if same else 'different'}: {len(rows_a)} and {len(rows_b)} check rows"
                 f" ({len(lines)} differ); verdict {a['verdict']!r} and {b['verdict']!r}")
    return same, lines
