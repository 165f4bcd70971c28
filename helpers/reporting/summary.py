"""The conformance summary of a run: a row per behaviour, a column per sidecar style.

Built by the xdist controller (or the only process) from the test reports: their
keywords name the behaviour and style, their user_properties carry the measured delays
and the styles a check is written for. Rendered for the terminal, as Markdown and as JSON.

The seed tutorial's examples (marker `tutorial`, no style) get a section of their own: each
example's observed verdict (the test's user property "tutorial") and whether it was the
expected one (the test passed).

The verdict is FAIL when any test failed (in any phase, with a behaviour marker or not, a
tutorial test too) or the session had a problem; INCONCLUSIVE when no check passed or the
cluster left a gap (a check or tutorial example skipped for the cluster's reason); else PASS,
"partial" and why when the user's own selection (-k, -m, --sidecar-style) left checks out.
Each verdict has its exit code (Summary.exit_code): only PASS exits 0.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from helpers.reporting.behaviours import BEHAVIOURS, behaviour_of, check_name, check_title, style_of
from helpers.reporting.clusterfacts import ClusterFacts
from helpers.reporting.evidence import DELAY_PREFIX, STYLES_PROPERTY
from helpers.kube.sidecar import STYLES

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
# The run's exit code by verdict (a session that could not start exits 4, pytest's usage error).
EXIT_PASS, EXIT_FAIL, EXIT_INCONCLUSIVE = 0, 1, 6


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

    def gaps(self) -> list[str]:
        """What the run left out: what was skipped (the cluster's doing), what was not selected
        (the user's)."""
        unselected = self.unselected()
        return self.skips() + ([f"not selected: {', '.join(unselected)}"] if unselected else [])

    def passed(self) -> bool:
        """Nothing failed, some check passed and the cluster left no gap (PASS, partial or not)."""
        return not self.failures() and self.counts()[PASS] > 0 and not self.skips()

    def verdict(self) -> str:
        """"FAIL (what failed)", "INCONCLUSIVE (why)", "PASS (partial: not selected ...)" or "PASS"."""
        failures = self.failures()
        if failures:
            return f"FAIL ({', '.join(failures)})"
        gaps = self.gaps()
        if not self.counts()[PASS]:
            return f"INCONCLUSIVE ({'; '.join(['nothing passed', *gaps])})"
        if self.skips():
            return f"INCONCLUSIVE ({'; '.join(gaps)})"
        return f"PASS (partial: {'; '.join(gaps)})" if gaps else "PASS"

    def exit_code(self) -> int:
        """EXIT_PASS for PASS (partial or not), EXIT_FAIL for FAIL, else EXIT_INCONCLUSIVE."""
        if self.failures():
            return EXIT_FAIL
        return EXIT_PASS if self.passed() else EXIT_INCONCLUSIVE

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


# --- rendering -----------------------------------------------------------------------

def cell_text(outcome: Outcome, note: str = "") -> str:
    """pass, FAIL or skip (with a note: a footnote mark or the reason), n/a, not run."""
    if outcome.status == FAIL:
        return f"FAIL{note}"
    return f"{outcome.status}{note}" if outcome.status == SKIP else outcome.status


def seconds_text(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.3f} s"


def behaviour_rows(summary: Summary) -> list[list[str]]:
    """[title, cell per style] for every behaviour."""
    return [[title, *(summary.rollup(marker, style) for style in STYLES)] for marker, title in BEHAVIOURS.items()]


def delay_rows(summary: Summary) -> list[list[str]]:
    """[delay name, seconds per style] for every measured delay."""
    return [[name, *(seconds_text(by_style.get(style)) for style in STYLES)] for name, by_style in summary.delays()]


def session_lines(summary: Summary, heading: list[str]) -> list[str]:
    """The session's problems as a list below `heading`, if it had any."""
    if not summary.session_issues:
        return []
    return ["", *heading, *(f"- {issue}" for issue in summary.session_issues)]


def tutorial_lines(summary: Summary) -> list[str]:
    """A line per tutorial example (whether it did what was expected, what it did), and below one
    that did not, why its test failed."""
    table = aligned([["Example", "Expected?", "Observed"],
                     *([example.name, example.expectation, example.seen] for example in summary.tutorial)])
    lines = ["", TUTORIAL_TITLE, table[0]]
    for line, example in zip(table[1:], summary.tutorial):
        lines += [line] + ([f"      {example.outcome.reason}"] if example.outcome.reason else [])
    return lines


def md_expectation(example: Example) -> str:
    """Whether a tutorial example did what was expected; if not, in bold, with why its test failed."""
    if example.as_expected:
        return AS_EXPECTED
    why = f": {shortened(example.outcome.reason)}" if example.outcome.reason else ""
    return f"**{example.expectation}{why}**"


def others_line(summary: Summary) -> list[str]:
    if not summary.others:
        return []
    return ["", "Other tests (no behaviour marker): " + ", ".join(f"{n} {s}" for s, n in summary.others.items())]


def aligned(rows: list[list[str]]) -> list[str]:
    """Rows of cells as text lines in columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def terminal_lines(summary: Summary) -> list[str]:
    """The summary for the terminal; failure and skip reasons are numbered notes below the checks."""
    notes: dict[str, list[str]] = {}
    for outcome in summary.problems():
        notes.setdefault(outcome.reason, []).append(outcome.test)
    numbers = {reason: number for number, reason in enumerate(notes, start=1)}

    def cell(outcome: Outcome) -> str:
        return cell_text(outcome, f" [{numbers[outcome.reason]}]" if outcome.reason in numbers else "")

    lines = [f"Result: {summary.verdict()}", summary.tally(), ""]
    lines += aligned([list(row) for row in summary.cluster.rows()])
    lines += [""] + aligned([["Behaviour", *STYLES], *behaviour_rows(summary)])
    rows = [["Check", *STYLES]]
    for title, checks in summary.grouped():
        rows += [[title, *[""] * len(STYLES)]]
        rows += [[f"  {check.title}", *(cell(check.cell(style)) for style in STYLES)] for check in checks]
    lines += [""] + aligned(rows)
    lines += [""] if notes else []
    for reason, tests in notes.items():
        lines += [f"[{numbers[reason]}] {reason}", *(f"      {test}" for test in tests)]
    lines += session_lines(summary, ["Session problems:"])
    if summary.delays():
        lines += [""] + aligned([["Measured delay", *STYLES], *delay_rows(summary)])
    if summary.tutorial:
        lines += tutorial_lines(summary)
    return lines + others_line(summary)


def md_cell(value: str) -> str:
    """A value safe inside a Markdown table cell."""
    return value.replace("|", "\\|").replace("\n", " ")


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(md_cell(cell) for cell in row) + " |" for row in rows]


def md_outcome(outcome: Outcome) -> str:
    """A check's cell: the reason follows a failure or a skip."""
    shown = shortened(outcome.reason)
    text = cell_text(outcome, f": {shown}" if shown else "")
    return f"**{text}**" if outcome.status == FAIL else text


def markdown(summary: Summary) -> str:
    """The summary as Markdown, for a ticket or a pull request."""
    lines = [f"# Sidecar conformance: {summary.verdict()}", "", summary.tally(), "", STYLE_LEGEND, ""]
    lines += md_table(["Cluster", ""], [list(row) for row in summary.cluster.rows()])
    lines += ["", "## Behaviours", ""] + md_table(["Behaviour", *STYLES], behaviour_rows(summary))
    rows = [[title if i == 0 else "", check.title, *(md_outcome(check.cell(style)) for style in STYLES)]
            for title, checks in summary.grouped() for i, check in enumerate(checks)]
    lines += ["", "## Checks", ""] + md_table(["Behaviour", "Check", *STYLES], rows)
    problems = summary.problems()
    if problems:
        lines += ["", "## Failures and skips", ""]
        lines += [f"- {outcome.status} `{outcome.test}`: {outcome.reason}" for outcome in problems]
    lines += session_lines(summary, ["## Session problems", ""])
    if summary.delays():
        lines += ["", "## Measured delays", ""] + md_table(["Delay", *STYLES], delay_rows(summary))
    if summary.tutorial:
        rows = [[example.name, example.seen, md_expectation(example)] for example in summary.tutorial]
        lines += ["", f"## {TUTORIAL_TITLE}", ""] + md_table(["Example", "Observed", "Expected?"], rows)
    return "\n".join(lines + others_line(summary)) + "\n"
