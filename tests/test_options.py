"""Bad cluster options end the run with one clear line, before any cluster work."""
import subprocess
import sys

import pytest

from clusterbuild.pins import REPO_ROOT

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


def run_suites(*options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "suites", "-p", "no:xdist", *options],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def kubeconfig(tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    return path


def test_missing_kubeconfig(tmp_path):
    missing = tmp_path / "nope"
    result = run_suites("--kubeconfig", str(missing))
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"sidecar-conformance: kubeconfig {missing}: no such file" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_context(kubeconfig):
    result = run_suites("--kubeconfig", str(kubeconfig), "--context", "two")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"--context two: not in {kubeconfig} (has: one)" in result.stderr


def test_unreachable_cluster(kubeconfig):
    result = run_suites("--kubeconfig", str(kubeconfig), "--kind-kubectl-bin", sys.executable)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "is not reachable" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_bad_image_map():
    result = run_suites("--kubeconfig", "/nonexistent", "--image-map", "redis=x")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "'redis' is not a pinned test image" in result.stderr
