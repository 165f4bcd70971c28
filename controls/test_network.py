"""Negative controls of the shared network: the suite's checks of helpers/checks/network.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""


from helpers.checks import network


def test_sidecar_in_a_separate_pod_shares_nothing(namespace, broken, sidecar_style):
    namespace.deploy("network/network.yaml", sidecar_style, "network/controls/network-separate-pods.yaml")
    app, sidecar = namespace.pod("network-demo").wait_ready(), namespace.pod("network-sidecar").wait_ready()
    with broken(network.SHARED_POD_IP):
        network.assert_eth0_has_pod_ip(app.read().status.pod_ip, [(app, "app"), (sidecar, "sidecar")])
    with broken(network.SHARED_NETWORK_NAMESPACE):
        network.assert_same_network_namespace((app, "app"), (sidecar, "sidecar"))
    with broken(network.SHARED_LOOPBACK):
        network.assert_reaches_app_on_loopback(sidecar, "sidecar", app.name)
    with broken(network.SHARED_SOCKETS):
        network.assert_sees_app_socket(sidecar, "sidecar")


def test_a_neighbour_inside_the_pod_is_not_private(namespace, broken, sidecar_style):
    """The privacy checks, given the Pod's own sidecar as "another Pod", must see it share."""
    namespace.deploy("network/network.yaml", sidecar_style)
    pod = namespace.pod("network-demo").wait_ready()
    with broken(network.NETWORK_NAMESPACE_PRIVATE_TO_THE_POD):
        network.assert_other_pod_has_its_own_namespace((pod, "app"), (pod, "sidecar"))
    with broken(network.LOOPBACK_PRIVATE_TO_THE_POD):
        network.assert_loopback_refused_elsewhere(pod, "sidecar")
    with broken(network.SOCKETS_PRIVATE_TO_THE_POD):
        network.assert_socket_hidden_elsewhere(pod, "sidecar")
