"""The run's verdict and the exit code of each: decided here and nowhere else.

FAIL when any test failed or the session had a problem once it ran (namespaces left behind);
INCONCLUSIVE when no check passed or the cluster left a gap (a check or a tutorial example
skipped for the cluster's reason); PASS partial when only the user's own selection (-k, -m,
--sidecar-style, a default of theirs) left checks out; else PASS. A session that could not
start (bad input, a broken cluster at preflight) ends with one line before any verdict.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    PASS = "PASS"
    PASS_PARTIAL = "PASS (partial)"
    INCONCLUSIVE = "INCONCLUSIVE"
    FAIL = "FAIL"
    SESSION_PROBLEM = "session problem"  # the run could not start: no verdict of the cluster


EXIT_CODES = {  # the process's exit code by verdict (4 is pytest's usage error)
    Verdict.PASS: 0,
    Verdict.PASS_PARTIAL: 0,
    Verdict.FAIL: 1,
    Verdict.SESSION_PROBLEM: 4,
    Verdict.INCONCLUSIVE: 6,
}


@dataclass(frozen=True)
class Judgement:
    """A verdict and why: what failed, or the gaps the run left."""

    verdict: Verdict
    reasons: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def passed(self) -> bool:
        return self.verdict in (Verdict.PASS, Verdict.PASS_PARTIAL)

    def text(self) -> str:
        """"FAIL (1 check failed, ...)", "INCONCLUSIVE (why; ...)", "PASS (partial: ...)" or "PASS"."""
        if self.verdict == Verdict.FAIL:
            return f"FAIL ({', '.join(self.reasons)})"
        if self.verdict == Verdict.PASS_PARTIAL:
            return f"PASS (partial: {'; '.join(self.reasons)})"
        if self.verdict == Verdict.PASS:
            return "PASS"
        return f"{self.verdict.value} ({'; '.join(self.reasons)})"


def judge(failures: Sequence[str], passed: int, skips: Sequence[str], unselected: Sequence[str]) -> Judgement:
    """The verdict of a run: `failures` (what failed, session problems included), how many checks
    `passed`, `skips` (gaps the cluster caused) and what the user left `unselected`."""
    if failures:
        return Judgement(Verdict.FAIL, tuple(failures))
    gaps = (*skips, *([f"not selected: {', '.join(unselected)}"] if unselected else []))
    if not passed:
        return Judgement(Verdict.INCONCLUSIVE, ("nothing passed", *gaps))
    if skips:
        return Judgement(Verdict.INCONCLUSIVE, gaps)
    return Judgement(Verdict.PASS_PARTIAL, gaps) if gaps else Judgement(Verdict.PASS)
