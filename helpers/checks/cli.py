"""Bad input: a run ends within BAD_INPUT_EXIT with one clear line and a non-zero exit."""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass

from helpers.kube import children
from helpers.kube.timeouts import BAD_INPUT_EXIT
from helpers.pins import REPO_ROOT


@dataclass(frozen=True)
class Outcome:
    """How a command ended: exit code, its non-empty output lines, how long it took."""

    code: int
    lines: list[str]
    seconds: float


def run_pytest(*args: str, env: dict[str, str] | None = None, limit: float = 4 * BAD_INPUT_EXIT) -> Outcome:
    """`python -m pytest ARGS` in the project, without xdist; killed after `limit` seconds.

    Its reports go to a throwaway folder, never over the reports of the run that called it.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nested-run-reports-") as reports:
        done = children.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "--reports-dir", reports, *args],
                            cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=limit)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return Outcome(done.returncode, lines, time.monotonic() - started)


def assert_one_clear_line(outcome: Outcome, expected: str) -> str:
    """Non-zero exit, one line containing `expected`, no traceback, within BAD_INPUT_EXIT."""
    assert outcome.code != 0, outcome
    assert len(outcome.lines) == 1 and expected in outcome.lines[0], "\n".join(outcome.lines[-30:])
    assert outcome.seconds < BAD_INPUT_EXIT, f"took {outcome.seconds:.1f}s: {outcome.lines[0]}"
    print(f"{outcome.seconds:5.1f}s exit {outcome.code}: {outcome.lines[0]}")
    return outcome.lines[0]
