"""Where a run against a cluster writes: reports/ (Allure results, JUnit XML, the summary).

A run gets `--alluredir <dir>/allure-results` and `--junitxml <dir>/junit.xml` unless it
names its own (<dir>: --reports-dir, default reports). Once the run has its cluster, the
summary and default Allure results of an earlier run are removed: the reports describe
this run only (and a run that cannot start leaves the last one's alone).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from helpers.reporting.render import markdown
from helpers.reporting.summary import Summary

REPORTS_DIR = "reports"
ALLURE_RESULTS = "allure-results"
JUNIT_XML = "junit.xml"
SUMMARY_MD = "summary.md"
SUMMARY_JSON = "summary.json"
ALLURE_ENVIRONMENT = "environment.properties"  # shown by Allure as the run's environment


def reports_dir(config: pytest.Config) -> Path:
    """--reports-dir, relative to the project's root."""
    return config.rootpath / config.getoption("reports_dir")


def default_allure_dir(config: pytest.Config) -> str:
    return str(reports_dir(config) / ALLURE_RESULTS)


def use_default_paths(config: pytest.Config) -> None:
    """Fill in the report options the command line left out."""
    config.option.allure_report_dir = config.option.allure_report_dir or default_allure_dir(config)
    config.option.xmlpath = config.option.xmlpath or str(reports_dir(config) / JUNIT_XML)


def clear_last_run(config: pytest.Config) -> None:
    """Remove the summary and the default Allure results of an earlier run (once this one can start)."""
    if config.option.allure_report_dir == default_allure_dir(config):
        shutil.rmtree(config.option.allure_report_dir, ignore_errors=True)
    for name in (SUMMARY_MD, SUMMARY_JSON):
        (reports_dir(config) / name).unlink(missing_ok=True)


def properties_line(key: str, value: str) -> str:
    """One Java properties line: backslashes doubled; in the key, spaces and separators escaped."""
    escaped_key = "".join("\\" + char if char in " :=#!\\" else char for char in key)
    escaped_value = value.replace("\\", "\\\\")
    return f"{escaped_key}={escaped_value}\n"


def display(path: Path) -> str:
    """`path` relative to the working directory when it is below it, else as it is."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def write_summary(config: pytest.Config, summary: Summary) -> list[Path]:
    """summary.md, summary.json and Allure's environment.properties; return the paths written."""
    directory = reports_dir(config)
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / SUMMARY_MD, directory / SUMMARY_JSON]
    written[0].write_text(markdown(summary))
    written[1].write_text(json.dumps(summary.to_dict(), indent=2) + "\n")
    if config.option.allure_report_dir:
        environment = Path(config.option.allure_report_dir) / ALLURE_ENVIRONMENT
        environment.parent.mkdir(parents=True, exist_ok=True)
        rows = [*summary.cluster.rows(), ("Result", summary.verdict()), ("Counts", summary.tally())]
        environment.write_text("".join(properties_line(label, value) for label, value in rows))
        written.append(environment)
    return written
