"""Bad cluster options end the run with one clear line, before any cluster work."""
import sys

import pytest

from helpers.checks.cli import assert_one_clear_line, run_pytest

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:9"}
contexts:
- name: one
  context: {cluster: c, user: u}
current-context: one
users:
- name: u
  user: {token: t}
"""


def run_suites(*options: str):
    return run_pytest("suites", *options)


@pytest.fixture
def kubeconfig(tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    return path


def test_missing_kubeconfig(tmp_path):
    missing = tmp_path / "nope"
    result = run_suites("--kubeconfig", str(missing))
    assert result.code == pytest.ExitCode.USAGE_ERROR
    assert_one_clear_line(result, f"sidecar-conformance: kubeconfig {missing}: no such file")


def test_unknown_context(kubeconfig):
    result = run_suites("--kubeconfig", str(kubeconfig), "--context", "two")
    assert result.code == pytest.ExitCode.USAGE_ERROR
    assert_one_clear_line(result, f"--context two: not in {kubeconfig} (has: one)")


def test_unreachable_cluster(kubeconfig):
    result = run_suites("--kubeconfig", str(kubeconfig), "--kubectl", sys.executable)
    assert result.code == pytest.ExitCode.USAGE_ERROR
    assert_one_clear_line(result, "is not reachable")


def test_bad_image_map():
    result = run_suites("--kubeconfig", "/nonexistent", "--image-map", "redis=x")
    assert result.code == pytest.ExitCode.USAGE_ERROR
    assert_one_clear_line(result, "'redis' is not a pinned test image")
