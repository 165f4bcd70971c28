"""Reporting's observers of the cluster layer, registered in every process that runs tests."""
from __future__ import annotations

from helpers.kube import observers
from helpers.reporting import evidence, journal, usage


def register() -> None:
    """Evidence for Allure, the request journal (when asked for), the per-test counts."""
    for observer in (evidence.observe, journal.note, usage.count):
        observers.observe(observer)
