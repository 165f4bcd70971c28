"""The online rehearsal's pure parts: the mirror configuration it hands to containerd, and its --help."""
import subprocess
import sys
import tomllib

from helpers.pins import REPO_ROOT
from tools.rehearsal.__main__ import _mirror_hosts


def test_each_registry_the_images_name_gets_one_plain_http_mirror(tmp_path):
    images = ["docker.io/library/busybox:1.36.1", "docker.io/curlimages/curl:8.10.1", "registry.example/x/y:1"]
    _mirror_hosts(tmp_path, images, "172.17.0.1:5000")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docker.io", "registry.example"]
    hosts = tomllib.loads((tmp_path / "docker.io" / "hosts.toml").read_text())
    assert hosts == {"host": {"http://172.17.0.1:5000": {"capabilities": ["pull", "resolve"]}}}


def _answers(monkeypatch, answers: dict[str, str]) -> None:
    """registry.output_of answers by the command's first word."""
    from tools.rehearsal import registry
    monkeypatch.setattr(registry, "output_of", lambda cmd, timeout: answers[cmd[0]])


def test_bridge_gateway_as_docker_names_it(monkeypatch):
    from tools.rehearsal.registry import docker_bridge_gateway
    _answers(monkeypatch, {"docker": "172.17.0.1 |docker0\n"})
    assert docker_bridge_gateway() == "172.17.0.1"


def test_bridge_without_a_gateway_falls_back_to_its_interface_address(monkeypatch):
    """A freshly started Debian docker.io 20.10 lists the bridge's subnet without a gateway."""
    from tools.rehearsal.registry import docker_bridge_gateway
    _answers(monkeypatch, {"docker": "|docker0\n",
                           "ip": "3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\n"})
    assert docker_bridge_gateway() == "172.17.0.1"


def test_bridge_without_any_address_is_one_clear_error(monkeypatch):
    import pytest

    from clusters.steps import StepFailed
    from tools.rehearsal.registry import docker_bridge_gateway
    _answers(monkeypatch, {"docker": "|docker0\n", "ip": ""})
    with pytest.raises(StepFailed, match="no gateway and its interface docker0 has no IPv4 address"):
        docker_bridge_gateway()


def test_help_prints_the_usage_and_runs_nothing():
    done = subprocess.run([sys.executable, "-m", "tools.rehearsal", "--help"], capture_output=True, text=True,
                          timeout=60, cwd=REPO_ROOT)
    assert done.returncode == 0 and done.stdout.startswith("python -m tools.rehearsal [pytest options]")
    assert "[cluster]" not in done.stdout + done.stderr  # no step ran
