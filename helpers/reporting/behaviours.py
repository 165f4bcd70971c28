"""The behaviours the suites check, and how a test (or its report) says which one and in which style."""
from __future__ import annotations

from collections.abc import Container

import pytest

from helpers.kube.sidecar import STYLES

BEHAVIOURS = {  # scenario marker -> title, in the README's order
    "network": "Shared network",
    "logs": "Log shipping",
    "proxy": "Reverse proxy",
    "reload": "Config reload",
    "shutdown": "Graceful shutdown",
    "ordering": "Ordering",
    "lifecycle": "Native sidecar lifecycle",
    "readiness": "Sidecar readiness",
    "scheduling": "Scheduling and quotas",
}
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
