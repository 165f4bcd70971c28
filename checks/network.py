"""Shared network: one Pod IP, one network namespace, one loopback, one socket table."""
from kube.netinfo import interface_addresses, listening_tcp

APP_SOCKET = "127.0.0.1:8080"
APP_URL = f"http://{APP_SOCKET}/"


def network_namespace(pod, container: str) -> str:
    """The `net:[inode]` of a container's network namespace."""
    return pod.exec(container, ["readlink", "/proc/self/ns/net"]).stdout.strip()


def assert_eth0_has_pod_ip(pod_ip: str, members) -> None:
    """Each (pod, container) of `members` shows `pod_ip` on eth0."""
    for pod, container in members:
        shown = pod.exec(container, ["ip", "-o", "addr", "show", "dev", "eth0"]).stdout
        assert pod_ip in interface_addresses(shown), (
            f"shared Pod IP broken: {pod.name}/{container} has {shown.strip()!r} on eth0, the Pod IP is {pod_ip}")


def assert_same_network_namespace(app, sidecar) -> None:
    """The (pod, container) pairs `app` and `sidecar` are in one network namespace."""
    first, second = network_namespace(*app), network_namespace(*sidecar)
    assert first.startswith("net:["), first
    assert second == first, (f"shared network namespace broken: {app[0].name}/{app[1]} is in {first},"
                             f" {sidecar[0].name}/{sidecar[1]} in {second}")


def assert_reaches_app_on_loopback(pod, container: str, app_pod_name: str) -> None:
    """`container` gets the app's page from 127.0.0.1:8080."""
    result = pod.exec(container, ["wget", "-qO-", APP_URL], check=False)
    assert result.exit_code == 0 and result.stdout == f"hello from the app of {app_pod_name}\n", (
        f"shared loopback broken: {pod.name}/{container} did not get the app's page from {APP_URL}\n"
        f"{result.describe()}")


def assert_sees_app_socket(pod, container: str) -> None:
    """`container` lists the app's listening socket 127.0.0.1:8080."""
    listening = listening_tcp(pod.exec(container, ["netstat", "-ltn"]).stdout)
    assert APP_SOCKET in listening, (f"shared sockets broken: {pod.name}/{container} does not see the app"
                                     f" listening on {APP_SOCKET} (sees {sorted(listening)})")
