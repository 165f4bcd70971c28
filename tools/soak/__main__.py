"""python -m tools.soak N [pytest options]: run `pytest suites` N times, then summarize.

Every run writes reports/soak/run-<i>.xml; the summary goes to stdout and reports/soak.json.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

from helpers.kube import children
from helpers.pins import REPO_ROOT
from tools.soak.report import lines, read_junit, summarize

OUT_DIR = REPO_ROOT / "reports" / "soak"
SUMMARY = REPO_ROOT / "reports" / "soak.json"
RUN_TIMEOUT = 3600  # one suite run (a warm one takes minutes); exit 124 past it
TIMED_OUT = 124


def run_once(number: int, pytest_args: list[str]) -> int:
    """One full suite run; its exit code."""
    junit = OUT_DIR / f"run-{number}.xml"
    started = time.monotonic()
    try:
        code = children.run([sys.executable, "-m", "pytest", "suites", "-q", "--junitxml", str(junit),
                             "--reports-dir", str(OUT_DIR.relative_to(REPO_ROOT) / f"run-{number}"), *pytest_args],
                            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, timeout=RUN_TIMEOUT).returncode
    except subprocess.TimeoutExpired:
        code = TIMED_OUT
    print(f"soak: run {number}: exit {code} in {time.monotonic() - started:.0f}s", flush=True)
    return code


def main(argv: list[str]) -> int:
    if not argv or not argv[0].isdigit() or int(argv[0]) < 1:
        print("usage: python -m tools.soak N [pytest options]", file=sys.stderr)
        return 2
    count, pytest_args = int(argv[0]), argv[1:]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    codes = [run_once(number, pytest_args) for number in range(1, count + 1)]
    runs = [read_junit(OUT_DIR / f"run-{n}.xml") for n in range(1, count + 1) if (OUT_DIR / f"run-{n}.xml").is_file()]
    summary = summarize(runs)
    summary["exit_codes"] = codes
    SUMMARY.write_text(json.dumps(summary, indent=2) + "\n")
    print("\n".join(lines(summary)))
    print(f"soak: written {SUMMARY}")
    return 0 if all(code == 0 for code in codes) and len(runs) == count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
