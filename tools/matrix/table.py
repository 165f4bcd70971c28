"""Every version's results side by side, as markdown: a row per check and sidecar style, a
column per version (pass / FAIL / skip, with the reason), the negative controls, and the
delays each version measured. Reads result folders: summary.json of the suites, and where
present result.json (how the build went, from `make matrix`) and controls-junit.xml."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from helpers.reporting.junitstats import read_cases

CELL_REASON = 90  # characters of a reason shown in a cell
STATUS = {"pass": "pass", "fail": "**FAIL**", "skip": "skip", "n/a": "n/a"}
CONTROLS_JUNIT = ("controls-junit.xml", "controls-alone-junit.xml")  # make matrix: with the others, then alone


@dataclass
class Column:
    """One version's results."""

    version: str
    summary: dict | None
    result: dict | None
    controls: list | None  # JUnit cases of the controls (those run with the others, then those run alone)

    @classmethod
    def read(cls, folder: Path) -> Column:
        def load(name: str) -> dict | None:
            path = folder / name
            return json.loads(path.read_text()) if path.is_file() else None
        controls = [path for path in (folder / name for name in CONTROLS_JUNIT) if path.is_file()]
        return cls(folder.name, load("summary.json"), load("result.json"),
                   [case for path in controls for case in read_cases(path)] if controls else None)

    def step(self, name: str) -> dict | None:
        return next((s for s in (self.result or {}).get("steps", []) if s["name"] == name), None)

    def why_not_run(self) -> str:
        """Why this version has no suite results ('' when it has them)."""
        if self.summary:
            return ""
        failed = next((s for s in (self.result or {}).get("steps", []) if s["exit"] != 0), None)
        if failed:
            return f"{failed['name']} failed: {failed['error'] or 'exit ' + str(failed['exit'])}"
        return "no results"


def _cell(outcome: dict) -> str:
    status = STATUS.get(outcome["status"], outcome["status"])
    reason = " ".join(outcome.get("reason", "").split())
    if reason and outcome["status"] != "pass":
        status += ": " + (reason[:CELL_REASON] + "…" if len(reason) > CELL_REASON else reason)
    return status.replace("|", "\\|")


def _seconds(step: dict | None) -> str:
    return f"{step['seconds']:.0f}" if step and step["exit"] == 0 else "-"


def _overview(columns: list[Column]) -> list[str]:
    lines = ["| version | Kubernetes go build, cold (s) | build this run (s) | cluster created (s) | server, kubelet, "
             "runtime | suites | controls | smoke check |", "|---|---:|---:|---:|---|---|---|---|"]
    for col in columns:
        go_build = (col.result or {}).get("go_build") or {}
        counts = (col.summary or {}).get("counts", {})
        suites = (f"{col.summary['verdict']}: {counts['pass']} pass, {counts['fail']} fail, {counts['skip']} skip"
                  if col.summary else col.why_not_run())
        controls = "-"
        if col.controls is not None:
            passed = sum(case.outcome == "passed" for case in col.controls)
            controls = f"{passed}/{len(col.controls)} passed"
        check = col.step("smoke check")
        cluster = (col.summary or {}).get("cluster") or {}
        node = (cluster.get("nodes") or [{}])[0]
        seen = ", ".join(v for v in (cluster.get("server"), node.get("kubelet"), node.get("runtime")) if v) or "-"
        lines.append(f"| {col.version} | {go_build.get('seconds', '-')} | {_seconds(col.step('build'))} | "
                     f"{_seconds(col.step('cluster'))} | {seen} | {suites} | {controls} | "
                     f"{'-' if check is None else ('pass' if check['exit'] == 0 else 'FAIL')} |")
    return lines


def _check_cells(columns: list[Column]) -> dict[str, dict[str, str]]:
    """Row name -> version -> cell, for the versions that ran."""
    rows: dict[str, dict[str, str]] = {}
    for col in (col for col in columns if col.summary):
        for behaviour in col.summary["behaviours"]:
            for check in behaviour["checks"]:
                for style, outcome in check["styles"].items():
                    if outcome["status"] != "n/a":
                        rows.setdefault(f"{behaviour['marker']}: {check['title']} ({style})", {})[col.version] = \
                            _cell(outcome)
        for example in col.summary.get("tutorial", []):
            rows.setdefault(f"tutorial: {example['example']}", {})[col.version] = _cell(example)
    return rows


def _checks(columns: list[Column]) -> list[str]:
    ran = [col for col in columns if col.summary]
    rows = _check_cells(columns)
    lines = ["| check (style) | " + " | ".join(col.version for col in ran) + " |",
             "|---|" + "---|" * len(ran)]
    lines += [f"| {name} | " + " | ".join(cells.get(col.version, "-") for col in ran) + " |"
              for name, cells in rows.items()]
    return lines


def _red_cells(columns: list[Column], differences: dict[str, str]) -> list[str]:
    """Each row with a FAIL: the upstream difference that explains it, or that none does yet."""
    lines = []
    for name, cells in _check_cells(columns).items():
        failing = [version for version, cell in cells.items() if cell.startswith(STATUS["fail"])]
        if failing:
            why = differences.get(name, "not explained: a bug of ours until shown otherwise")
            lines.append(f"- {name}, FAIL on {', '.join(failing)}: {why}")
    return lines or ["None."]


def _controls(columns: list[Column]) -> list[str]:
    lines = []
    for col in columns:
        bad = [case for case in col.controls or [] if case.outcome in ("failed", "error")]
        lines += [f"- {col.version}: {case.classname.rsplit('.', 1)[-1]}::{case.name} {case.outcome}" for case in bad]
    return lines or ["None: in every version that ran, each check failed on its broken Pod as it must."]


def _delays(columns: list[Column]) -> list[str]:
    ran = [col for col in columns if col.summary]
    rows: dict[str, dict[str, str]] = {}
    for col in ran:
        for delay in col.summary.get("delays", []):
            for style, seconds in delay["seconds"].items():
                rows.setdefault(f"{delay['name']} ({style})", {})[col.version] = f"{seconds:.2f}"
    lines = ["| delay, seconds (style) | " + " | ".join(col.version for col in ran) + " |",
             "|---|" + "---:|" * len(ran)]
    return lines + [f"| {name} | " + " | ".join(cells.get(col.version, "-") for col in ran) + " |"
                    for name, cells in rows.items()]


def markdown(folders: list[Path], title: str, preface: list[str], differences: dict[str, str] | None = None) -> str:
    """The whole page for the result folders given (one per version, named by it); `differences`
    explains red cells by row name (matrix.json's `differences`)."""
    columns = [Column.read(folder) for folder in folders]
    parts = [f"# {title}", "", *preface, "", "## Versions", "", *_overview(columns), "",
             "## Checks", "", *_checks(columns), "", "## Why a cell is red", "", *_red_cells(columns, differences or {}), "",
             "## Negative controls that failed (a check passed a broken Pod, or the control errored)", "",
             *_controls(columns), "", "## Measured delays", "", *_delays(columns), ""]
    return "\n".join(parts)
