"""Preflight: kubectl's version skew, and tool problems as one line."""
import sys

import pytest

from helpers.session.preflight import SessionError, skew_problem, tool_output


@pytest.mark.parametrize("kubectl, server", [
    ("v1.34.11", "v1.34.2"), ("v1.35.0", "v1.34.11"), ("v1.33.1", "v1.34.11"), ("v1.34.0", "v1.34.5-gke.1200"),
])
def test_kubectl_within_one_minor_of_the_server_is_fine(kubectl, server):
    assert skew_problem(kubectl, server) is None


def test_kubectl_two_minors_away_is_named_with_the_supported_range():
    problem = skew_problem("v1.31.4", "v1.34.11")
    assert problem == "kubectl v1.31.4 is 3 minor versions away from the server v1.34.11 (supported: v1.33 to v1.35)"
    assert "2 minor versions" in skew_problem("v1.36.0", "v1.34.11")


def test_another_major_version_is_a_problem():
    assert "a major version away" in skew_problem("v2.34.0", "v1.34.0")


def test_an_unreadable_version_is_a_value_error():
    with pytest.raises(ValueError, match="cannot read a version"):
        skew_problem("unknown", "v1.34.0")


def test_missing_tool_is_one_line():
    with pytest.raises(SessionError, match=r"^kind: no-such-tool-here not found$"):
        tool_output(["no-such-tool-here", "version"], "kind")


def test_failing_tool_shows_its_last_error_line():
    command = [sys.executable, "-c", "import sys; print('first', file=sys.stderr); sys.exit('it broke')"]
    with pytest.raises(SessionError, match=r"failed \(exit 1\): it broke$"):
        tool_output(command, "docker")
