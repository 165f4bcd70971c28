"""The registry of behaviours: each one named once, here.

A behaviour's name is its pytest marker and the name of its four places: `suites/test_<name>.py`
(the checks run), `manifests/<name>/` (its Pods; its controls' in `manifests/<name>/controls/`),
`helpers/checks/<name>.py` (the assertions, each check a named constant) and
`controls/test_<name>.py` (the negative controls). The markers, the summary's rows, Allure's
features and README's table (a unit test compares them) all come from REGISTRY.
"""
from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

import pytest

from helpers.kube.sidecar import STYLES


@dataclass(frozen=True)
class Scenario:
    """One behaviour the suites check."""

    number: int
    name: str  # its marker and the name of its module, folder, checks and controls
    title: str  # in the summary, Allure and README's table
    about: str  # the marker's description


REGISTRY = (
    Scenario(1, "network", "Shared network", "shared network namespace"),
    Scenario(2, "logs", "Log shipping", "log shipping through an emptyDir"),
    Scenario(3, "proxy", "Reverse proxy", "nginx reverse-proxy sidecar"),
    Scenario(4, "reload", "Config reload", "ConfigMap reload by a watcher sidecar"),
    Scenario(5, "shutdown", "Graceful shutdown", "graceful shutdown"),
    Scenario(6, "ordering", "Ordering", "init containers, native sidecars and Jobs"),
    Scenario(7, "lifecycle", "Native sidecar lifecycle",
             "the native sidecar lifecycle (start and stop order, restarts, deletion while starting)"),
    Scenario(8, "readiness", "Sidecar readiness", "sidecar readiness for the Pod and its Service"),
    Scenario(9, "scheduling", "Scheduling and quotas", "what the scheduler and quotas count of sidecars"),
)
BEHAVIOURS = {scenario.name: scenario.title for scenario in REGISTRY}  # marker -> title, in the README's order
OTHER_MARKERS = (
    "tutorial: the seed tutorial's examples as written: which work, which are broken and why",
    "classic: runs with a classic sidecar (a regular container)",
    "native: runs with a native sidecar (init container with restartPolicy: Always)",
    "sidecar_styles(*styles): run only in these sidecar styles (default: all)",
    "disruptive: restarts a node's kubelet: runs first, in one round of restarts with the run's other such tests,"
    " before any other test starts; on a cluster given with --kubeconfig or --context only with --disruptive",
    "alone: a control bounding a wall clock that parallel tests would stretch: run one at a time, after the rest"
    " (make controls)",
    "pod_security(level): this test's namespace enforces this Pod Security level instead of --pod-security"
    " (privileged: a hostPort)",
)


def markers() -> list[str]:
    """Every marker of the project, as pytest's `markers` ini lines."""
    return [f"{s.name}: scenario {s.number}, {s.about}" for s in REGISTRY] + list(OTHER_MARKERS)


STYLES_MARKER = "sidecar_styles"


def behaviour_of(keywords: Container[str]) -> str | None:
    """The scenario marker among a test's keywords."""
    return next((marker for marker in BEHAVIOURS if marker in keywords), None)


def style_of(keywords: Container[str]) -> str | None:
    """The sidecar style a test ran in (its parameter's marker)."""
    return next((style for style in STYLES if style in keywords), None)


def declared_styles(node: pytest.Item | pytest.Function) -> tuple[str, ...]:
    """The styles a test is written for: its `sidecar_styles` marker, else every style."""
    marker = node.get_closest_marker(STYLES_MARKER)
    return marker.args if marker else STYLES


def check_name(nodeid: str) -> str:
    """The test function of a node id: "suites/test_x.py::test_y[native]" -> "test_y"."""
    return nodeid.rsplit("::", 1)[-1].split("[", 1)[0]


def check_title(name: str) -> str:
    """A test function's name as a sentence: "test_sidecar_sees_x" -> "Sidecar sees x"."""
    words = name.removeprefix("test_").replace("_", " ")
    return words[:1].upper() + words[1:]
