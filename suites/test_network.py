"""Scenario 1: the containers of a Pod share one network namespace."""
import pytest

from helpers.netinfo import interface_addresses, listening_tcp

pytestmark = pytest.mark.network

APP_URL = "http://127.0.0.1:8080/"


@pytest.fixture
def demo(namespace, sidecar_style):
    """The two-container Pod and, for comparison, a Pod of its own."""
    namespace.deploy("network.yaml", sidecar_style)
    return namespace.pod("network-demo").wait_ready(), namespace.pod("network-neighbour").wait_ready()


def test_every_container_has_the_pod_ip_on_eth0(demo):
    pod, _ = demo
    pod_ip = pod.read().status.pod_ip
    for container in ("app", "sidecar"):
        shown = pod.exec(container, ["ip", "-o", "addr", "show", "dev", "eth0"]).stdout
        assert pod_ip in interface_addresses(shown), f"{container}: eth0 has {shown!r}, podIP is {pod_ip}"


def test_containers_share_the_network_namespace_and_other_pods_do_not(demo):
    pod, neighbour = demo

    def netns(target, container):
        return target.exec(container, ["readlink", "/proc/self/ns/net"]).stdout.strip()

    app, sidecar, other = netns(pod, "app"), netns(pod, "sidecar"), netns(neighbour, "neighbour")
    assert app.startswith("net:["), app
    assert sidecar == app
    assert other != app


def test_sidecar_reaches_the_app_on_loopback_and_another_pod_does_not(demo):
    pod, neighbour = demo
    body = pod.exec("sidecar", ["wget", "-qO-", APP_URL]).stdout
    assert body == f"hello from the app of {pod.name}\n"

    elsewhere = neighbour.exec("neighbour", ["wget", "-qO-", APP_URL], check=False)
    assert elsewhere.exit_code != 0 and "refused" in elsewhere.stderr, elsewhere.describe()


def test_sidecar_sees_the_apps_listening_socket(demo):
    pod, neighbour = demo
    assert "127.0.0.1:8080" in listening_tcp(pod.exec("sidecar", ["netstat", "-ltn"]).stdout)
    assert "127.0.0.1:8080" not in listening_tcp(neighbour.exec("neighbour", ["netstat", "-ltn"]).stdout)
