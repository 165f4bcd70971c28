"""Bad input on the host side: each ends within BAD_INPUT_EXIT with one clear line.

Docker and kind are taken away through PATH (a folder holding only what the case keeps);
the Docker engine "stops" by pointing DOCKER_HOST at a socket nobody serves. The cases
that need a real cluster (credentials, unpullable image) are in controls/.
"""
import os
import shutil

import pytest

from clusters.steps import succeeds
from helpers.checks.cli import assert_one_clear_line, run_pytest
from helpers.kube.timeouts import BAD_INPUT_EXIT

KIND_MODE = ("suites", "--cluster-name", "bad-input-never-created")
needs_docker = pytest.mark.skipif(not succeeds(["docker", "info"], timeout=20), reason="needs a running Docker engine")


def env_with(tmp_path, keep: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """The environment with a PATH of only the `keep` tools, offline, and an empty build cache."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in keep:
        (tools / tool).symlink_to(shutil.which(tool))
    return {**os.environ, "PATH": str(tools), "SIDECAR_CONFORMANCE_OFFLINE": "1",
            "SIDECAR_CONFORMANCE_CACHE": str(tmp_path / "cache"), **extra}


def test_unreadable_kubeconfig(tmp_path):
    garbage = tmp_path / "kubeconfig"
    garbage.write_text("this: [is not a kubeconfig\n")
    assert_one_clear_line(run_pytest("suites", "--kubeconfig", str(garbage)), f"kubeconfig {garbage}")


def test_docker_not_installed(tmp_path):
    outcome = run_pytest(*KIND_MODE, env=env_with(tmp_path))
    assert_one_clear_line(outcome, "docker is not installed (no `docker` on PATH)")


@needs_docker
def test_docker_not_running(tmp_path):
    env = env_with(tmp_path, ("docker",), DOCKER_HOST=f"unix://{tmp_path}/docker.sock")
    assert_one_clear_line(run_pytest(*KIND_MODE, env=env), "the Docker engine does not answer")


@needs_docker
def test_kind_missing_and_no_go_to_build_it(tmp_path):
    outcome = run_pytest(*KIND_MODE, env=env_with(tmp_path, ("docker",)))
    assert_one_clear_line(outcome, "is missing (not built at")


@needs_docker
def test_unknown_kind_image(tmp_path):
    env = {**os.environ, "SIDECAR_CONFORMANCE_OFFLINE": "1"}
    outcome = run_pytest(*KIND_MODE, "--kind-image", "localhost/no-such-node:v0.0.0", env=env)
    assert_one_clear_line(outcome, "--kind-image localhost/no-such-node:v0.0.0: not among the local Docker images")


@needs_docker
@pytest.mark.parametrize("version, expected", [
    ("1.34", "Kubernetes version '1.34': expected vMAJOR.MINOR.PATCH"),
    ("v1.99.99", "Kubernetes version v1.99.99: no such k8s.io/kubernetes release"),
])
def test_unknown_kubernetes_version(version, expected):
    env = {**os.environ, "SIDECAR_CONFORMANCE_OFFLINE": "1", "SIDECAR_CONFORMANCE_KUBERNETES_VERSION": version}
    assert_one_clear_line(run_pytest(*KIND_MODE, env=env), expected)


@needs_docker
def test_online_download_from_an_unreachable_mirror(tmp_path):
    """The stock path, its kind download pointed at a port nobody serves: progress lines,
    then one line naming the URL and what happened, after the bounded retries."""
    env = {**os.environ, "SIDECAR_CONFORMANCE_OFFLINE": "0", "SIDECAR_CONFORMANCE_CACHE": str(tmp_path / "cache"),
           "SIDECAR_CONFORMANCE_KIND_DOWNLOAD_URL": "http://127.0.0.1:9/kind/{version}/kind-{os}-{arch}"}
    outcome = run_pytest(*KIND_MODE, env=env)
    assert outcome.code != 0 and outcome.seconds < BAD_INPUT_EXIT, outcome
    problems = [line for line in outcome.lines if not line.startswith("[cluster] ")]
    assert len(problems) == 1 and "download http://127.0.0.1:9/kind/" in problems[0] and "(3 attempts)" in problems[0], (
        outcome.lines)
