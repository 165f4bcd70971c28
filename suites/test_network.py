"""Scenario 1: the containers of a Pod share one network namespace, and only they do."""
import pytest

from helpers.checks.network import (
    assert_eth0_has_pod_ip,
    assert_loopback_refused_elsewhere,
    assert_other_pod_has_its_own_namespace,
    assert_reaches_app_on_loopback,
    assert_same_network_namespace,
    assert_sees_app_socket,
    assert_socket_hidden_elsewhere,
)

pytestmark = pytest.mark.network


@pytest.fixture(scope="class")
def demo(shared_namespace, sidecar_style):
    """The two-container Pod and, for comparison, a Pod of its own; every check only looks."""
    shared_namespace.deploy("network/network.yaml", sidecar_style)
    return shared_namespace.pod("network-demo").wait_ready(), shared_namespace.pod("network-neighbour").wait_ready()


class TestNetworkDemo:
    """The checks of one network-demo and its neighbour, per sidecar style."""

    def test_every_container_has_the_pod_ip_on_eth0(self, demo):
        pod, _ = demo
        assert_eth0_has_pod_ip(pod.read().status.pod_ip, [(pod, "app"), (pod, "sidecar")])

    def test_containers_share_the_network_namespace_and_other_pods_do_not(self, demo):
        pod, neighbour = demo
        assert_same_network_namespace((pod, "app"), (pod, "sidecar"))
        assert_other_pod_has_its_own_namespace((pod, "app"), (neighbour, "neighbour"))

    def test_sidecar_reaches_the_app_on_loopback_and_another_pod_does_not(self, demo):
        pod, neighbour = demo
        assert_reaches_app_on_loopback(pod, "sidecar", pod.name)
        assert_loopback_refused_elsewhere(neighbour, "neighbour")

    def test_sidecar_sees_the_apps_listening_socket(self, demo):
        pod, neighbour = demo
        assert_sees_app_socket(pod, "sidecar")
        assert_socket_hidden_elsewhere(neighbour, "neighbour")
