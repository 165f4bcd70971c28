"""The conformance summary of a run: a row per behaviour, a column per sidecar style.

Built by the xdist controller (or the only process) from the test reports: their
keywords name the behaviour and style, their user_properties carry the measured delays
and the styles a check is written for. Rendered for the terminal, as Markdown and as JSON.

The seed tutorial's examples (marker `tutorial`, no style) get a section of their own: each
example's observed verdict (the test's user property "tutorial") and whether it was the
expected one (the test passed).

What failed (in any phase, with a behaviour marker or not, a tutorial test too), what passed,
what the cluster skipped and what the user left out go to reporting.verdict, which decides the
verdict and its exit code; reporting.render renders the summary.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from helpers.behaviours import BEHAVIOURS, behaviour_of, check_name, check_title, style_of
from helpers.kube.sidecar import STYLES
from helpers.reporting.clusterfacts import ClusterFacts
from helpers.reporting.evidence import DELAY_PREFIX, STYLES_PROPERTY
from helpers.reporting.verdict import Judgement, judge

PASS, FAIL, SKIP = "pass", "fail", "skip"
NOT_APPLICABLE = "n/a"  # the check is not written for this style
NOT_RUN = "not run"  # written for it, but not selected (-k, -m, --sidecar-style, or a skip below)
NOT_SELECTED = "not selected: "  # a skip reason starting so is the user's choice (a default of theirs), not a gap
SEVERITY = {PASS: 0, SKIP: 1, FAIL: 2}
REASON_CHARS = 160  # of a reason in the verdict or a Markdown table cell; the failure list has the whole line
STYLE_LEGEND = ("Sidecar styles: *classic* is a regular container next to the app; *native* is an init"
                " container with `restartPolicy: Always` (on by default since Kubernetes 1.29).")
MODULE_PATH = re.compile(r"^(?:\w+\.)+(?=\w+: )")  # "kube.waits.WaitTimeout: x" -> "WaitTimeout: x"
TUTORIAL_MARKER = "tutorial"  # the tutorial's examples, run as written: no behaviour, no style
TUTORIAL_PROPERTY = "tutorial"  # user property of a tutorial test: "<example>: works" / "<example>: broken: why"
TUTORIAL_TITLE = "Tutorial examples (as written)"
AS_EXPECTED, NOT_AS_EXPECTED = "as expected", "NOT as expected"


@dataclass
class Outcome:
    """How one test ended (its worst phase), why, and what it measured."""

    status: str
    reason: str = ""
    test: str = ""
    delays: dict[str, float] = field(default_factory=dict)


@dataclass
class Check:
    """One test function of a behaviour, in each style it ran."""

    behaviour: str
    name: str
    declared: tuple[str, ...]
    line: int
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return check_title(self.name)

    def cell(self, style: str) -> Outcome:
        """The outcome in `style`, or why there is none."""
        if style in self.outcomes:
            return self.outcomes[style]
        return Outcome(NOT_RUN if style in self.declared else NOT_APPLICABLE)


@dataclass
class Example:
    """One example of the tutorial, run as written: what it did, and whether that was expected."""

    name: str
    observed: str  # "works", "broken: why", or "" when its test ended before a verdict
    outcome: Outcome  # its test's: passed when the verdict was the expected one

    @property
    def seen(self) -> str:
        return self.observed or "no verdict"

    @property
    def as_expected(self) -> bool | None:
        """Whether the verdict was the expected one; None without a verdict or when skipped."""
        return (self.outcome.status == PASS) if self.observed and self.outcome.status != SKIP else None

    @property
    def expectation(self) -> str:
        """"as expected", "NOT as expected", or how its test ended ("FAIL", "skip") when that
        says nothing about the expectation."""
        if self.as_expected is None:
            return cell_text(self.outcome)
        return AS_EXPECTED if self.as_expected else NOT_AS_EXPECTED

    def to_dict(self) -> dict:
        return {"example": self.name, "observed": self.observed, "as_expected": self.as_expected,
                "status": self.outcome.status, "reason": self.outcome.reason, "test": self.outcome.test}


@dataclass
class Summary:
    """Every check of the run, the cluster it ran on, and what else ran."""

    checks: list[Check]
    cluster: ClusterFacts
    run_id: str
    finished: str
    others: dict[str, int] = field(default_factory=dict)  # tests outside the behaviours, by status
    session_issues: list[str] = field(default_factory=list)  # what went wrong outside the tests
    tutorial: list[Example] = field(default_factory=list)  # the tutorial's examples, by name
    left_out: list[str] = field(default_factory=list)  # why checks skipped as NOT_SELECTED were, once each

    def counts(self) -> dict[str, int]:
        """How many checks (test runs, one per style) passed, failed, were skipped."""
        found = dict.fromkeys((PASS, FAIL, SKIP), 0)
        for check in self.checks:
            for outcome in check.outcomes.values():
                found[outcome.status] += 1
        return found

    def failures(self) -> list[str]:
        """Why the run failed: failed checks, failed tests outside the behaviours, session problems."""
        failed = {"check": self.counts()[FAIL], "other test": self.others.get(FAIL, 0),
                  "tutorial test": sum(example.outcome.status == FAIL for example in self.tutorial)}
        found = [f"{counted(number, noun)} failed" for noun, number in failed.items() if number]
        return found + ([counted(len(self.session_issues), "session problem")] if self.session_issues else [])

    def in_style(self, style: str, status: str) -> tuple[list[Outcome], str]:
        """The cells with `status` of the checks written for `style`, and their share of them in words."""
        cells = [check.cell(style) for check in self.checks if style in check.declared]
        matching = [cell for cell in cells if cell.status == status]
        return matching, share(len(matching), len(cells), style)

    def skips(self) -> list[str]:
        """Each style with skipped checks, styles grouped by the first skip reason; then the
        tutorial's skipped examples."""
        styles: dict[str, list[str]] = {}
        for style in STYLES:
            skipped, label = self.in_style(style, SKIP)
            if skipped:
                styles.setdefault(shortened(skipped[0].reason), []).append(label)
        found = [f"{', '.join(labels)} skipped" + (f": {why}" if why else "") for why, labels in styles.items()]
        examples = [example for example in self.tutorial if example.outcome.status == SKIP]
        if examples:
            found.append(f"{counted(len(examples), 'tutorial example')} skipped: {shortened(examples[0].outcome.reason)}")
        return found

    def unselected(self) -> list[str]:
        """The styles checks are written for but did not run in, and the behaviours without checks."""
        not_run = (self.in_style(style, NOT_RUN) for style in STYLES)
        styles = [label for cells, label in not_run if cells]
        return styles + [marker for marker in BEHAVIOURS if all(check.behaviour != marker for check in self.checks)] \
            + self.left_out

    def judgement(self) -> Judgement:
        """The run's verdict (reporting.verdict) and why."""
        return judge(self.failures(), self.counts()[PASS], self.skips(), self.unselected())

    def verdict(self) -> str:
        """"FAIL (what failed)", "INCONCLUSIVE (why)", "PASS (partial: not selected ...)" or "PASS"."""
        return self.judgement().text()

    def passed(self) -> bool:
        """Nothing failed, some check passed and the cluster left no gap (PASS, partial or not)."""
        return self.judgement().passed

    def exit_code(self) -> int:
        """The verdict's exit code (reporting.verdict.EXIT_CODES)."""
        return self.judgement().exit_code

    def tally(self) -> str:
        counts = self.counts()
        return (f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[SKIP]} skipped;"
                f" run {self.run_id}, finished {self.finished}")

    def rollup(self, behaviour: str, style: str) -> str:
        """One behaviour in one style: "pass (4/4)", "FAIL (1 of 4)", "skip: why", "n/a"..."""
        cells = [check.cell(style) for check in self.checks if check.behaviour == behaviour]
        ran = [cell for cell in cells if cell.status in SEVERITY]
        failed = [cell for cell in ran if cell.status == FAIL]
        passed = [cell for cell in ran if cell.status == PASS]
        if failed:
            return f"FAIL ({len(failed)} of {len(ran)})"
        if passed:
            skipped = len(ran) - len(passed)
            return f"pass ({len(passed)}/{len(ran)}" + (f", {skipped} skipped)" if skipped else ")")
        if ran:
            return f"skip: {ran[0].reason}"
        return NOT_RUN if any(cell.status == NOT_RUN for cell in cells) or not cells else NOT_APPLICABLE

    def grouped(self) -> list[tuple[str, list[Check]]]:
        """(behaviour title, its checks) for each behaviour with checks, in order."""
        groups = [(title, [check for check in self.checks if check.behaviour == marker])
                  for marker, title in BEHAVIOURS.items()]
        return [(title, checks) for title, checks in groups if checks]

    def delays(self) -> list[tuple[str, dict[str, float]]]:
        """(delay name, {style: seconds}) in check order."""
        rows: dict[str, dict[str, float]] = {}
        for check in self.checks:
            for style, outcome in check.outcomes.items():
                for name, seconds in outcome.delays.items():
                    rows.setdefault(name, {})[style] = seconds
        return list(rows.items())

    def problems(self) -> list[Outcome]:
        """Every failed or skipped test, in table order."""
        return [check.outcomes[style] for check in self.checks for style in STYLES
                if style in check.outcomes and check.outcomes[style].status in (FAIL, SKIP)]

    def to_dict(self) -> dict:
        """Plain data for summary.json."""
        return {
            "verdict": self.verdict(),
            "passed": self.passed(),
            "exit_code": self.exit_code(),
            "counts": self.counts(),
            "run": {"id": self.run_id, "finished": self.finished},
            "cluster": self.cluster.to_dict(),
            "behaviours": [
                {"marker": marker, "title": title,
                 "styles": {style: self.rollup(marker, style) for style in STYLES},
                 "checks": [{"name": check.name, "title": check.title,
                             "styles": {style: asdict(check.cell(style)) for style in STYLES}}
                            for check in self.checks if check.behaviour == marker]}
                for marker, title in BEHAVIOURS.items()
            ],
            "delays": [{"name": name, "seconds": by_style} for name, by_style in self.delays()],
            "other_tests": self.others,
            "tutorial": [example.to_dict() for example in self.tutorial],
            "session_issues": self.session_issues,
        }


def counted(number: int, noun: str) -> str:
    """"1 check", "2 checks"."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def share(count: int, total: int, style: str) -> str:
    """"native" when `count` is every check written for the style, else "2 of 5 native checks"."""
    return style if count == total else f"{count} of {total} {style} checks"


def shortened(text: str) -> str:
    """`text` cut to REASON_CHARS."""
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS] + "..."


def reason(report) -> str:
    """The first line of why a test failed or was skipped."""
    longrepr = report.longrepr
    if isinstance(longrepr, (tuple, list)):  # a skip: (path, line, "Skipped: why")
        text = str(longrepr[2]).removeprefix("Skipped: ")
    else:
        crash = getattr(longrepr, "reprcrash", None)
        text = crash.message if crash else str(longrepr or "")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return MODULE_PATH.sub("", first).removeprefix("AssertionError: ")


def status_of(report) -> str:
    return FAIL if report.failed else SKIP if report.skipped else PASS


def fold(reports: Iterable) -> dict[str, tuple[object, Outcome]]:
    """Each test's first report and its outcome, the worst of its setup, call and teardown."""
    tests: dict[str, tuple[object, Outcome]] = {}
    for report in reports:
        _, outcome = tests.setdefault(report.nodeid, (report, Outcome(PASS, test=report.nodeid)))
        status = status_of(report)
        if SEVERITY[status] > SEVERITY[outcome.status]:
            outcome.status, outcome.reason = status, reason(report)
        for key, value in report.user_properties:
            if isinstance(key, str) and key.startswith(DELAY_PREFIX):
                outcome.delays[key.removeprefix(DELAY_PREFIX)] = float(value)
    return tests


def example_name(nodeid: str) -> str:
    """A tutorial test's example: its parameter, "suites/test_tutorial.py::test_x[localhost]" -> "localhost"."""
    return nodeid.rsplit("::", 1)[-1].partition("[")[2].removesuffix("]") or check_name(nodeid)


def build(reports: Iterable, cluster: ClusterFacts, run_id: str, session_issues: Iterable[str] = ()) -> Summary:
    """The summary of these test reports (every phase of every test)."""
    reports = list(reports)
    checks: dict[tuple[str, str], Check] = {}
    others = dict.fromkeys((PASS, FAIL, SKIP), 0)
    observed = {report.nodeid: value for report in reports
                for key, value in report.user_properties if key == TUTORIAL_PROPERTY}
    tutorial, left_out = [], []
    for nodeid, (report, outcome) in fold(reports).items():
        if TUTORIAL_MARKER in report.keywords:
            name, _, seen = observed.get(nodeid, "").partition(": ")
            tutorial.append(Example(name or example_name(nodeid), seen, outcome))
            continue
        behaviour, style = behaviour_of(report.keywords), style_of(report.keywords)
        if behaviour is None or style is None:
            others[outcome.status] += 1
            continue
        declared = dict(report.user_properties).get(STYLES_PROPERTY, ",".join(STYLES)).split(",")
        name = check_name(nodeid)
        check = checks.setdefault((behaviour, name), Check(behaviour, name, tuple(declared), report.location[1]))
        if outcome.status == SKIP and outcome.reason.startswith(NOT_SELECTED):
            left_out += [] if outcome.reason in left_out else [outcome.reason]
            continue  # not run, by the user's choice
        check.outcomes[style] = outcome
    order = list(BEHAVIOURS)
    ordered = sorted(checks.values(), key=lambda check: (order.index(check.behaviour), check.line))
    finished = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    return Summary(ordered, cluster, run_id, finished, {k: v for k, v in others.items() if v}, list(session_issues),
                   sorted(tutorial, key=lambda example: example.name),
                   [why.removeprefix(NOT_SELECTED) for why in left_out])


def cell_text(outcome: Outcome, note: str = "") -> str:
    """pass, FAIL or skip (with a note: a footnote mark or the reason), n/a, not run."""
    if outcome.status == FAIL:
        return f"FAIL{note}"
    return f"{outcome.status}{note}" if outcome.status == SKIP else outcome.status
