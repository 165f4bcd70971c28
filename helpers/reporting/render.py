"""The summary rendered: for the terminal and as Markdown (the JSON is Summary.to_dict)."""
from __future__ import annotations

from helpers.behaviours import BEHAVIOURS
from helpers.kube.sidecar import STYLES
from helpers.reporting.summary import (
    AS_EXPECTED,
    FAIL,
    STYLE_LEGEND,
    TUTORIAL_TITLE,
    Example,
    Outcome,
    Summary,
    cell_text,
    shortened,
)


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
    for line, example in zip(table[1:], summary.tutorial, strict=True):
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
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


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
