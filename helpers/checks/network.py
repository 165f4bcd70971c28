"""Shared network: one Pod IP, one network namespace, one loopback, one socket table,
all private to the Pod."""
from helpers.checks.failure import Behaviour
from helpers.kube.netinfo import interface_addresses, listening_tcp

NETWORK = Behaviour("network")
# its checks, each named once: the check raises with it, its negative controls expect it
LOOPBACK_PRIVATE_TO_THE_POD = NETWORK.check("loopback private to the Pod")
NETWORK_NAMESPACE_PRIVATE_TO_THE_POD = NETWORK.check("network namespace private to the Pod")
SHARED_LOOPBACK = NETWORK.check("shared loopback")
SHARED_NETWORK_NAMESPACE = NETWORK.check("shared network namespace")
SHARED_POD_IP = NETWORK.check("shared Pod IP")
SHARED_SOCKETS = NETWORK.check("shared sockets")
SOCKETS_PRIVATE_TO_THE_POD = NETWORK.check("sockets private to the Pod")
APP_SOCKET = "127.0.0.1:8080"
APP_URL = f"http://{APP_SOCKET}/"


def network_namespace(pod, container: str) -> str:
    """The `net:[inode]` of a container's network namespace."""
    return pod.exec(container, ["readlink", "/proc/self/ns/net"]).stdout.strip()


def assert_eth0_has_pod_ip(pod_ip: str, members) -> None:
    """Each (pod, container) of `members` shows `pod_ip` on eth0."""
    for pod, container in members:
        shown = pod.exec(container, ["ip", "-o", "addr", "show", "dev", "eth0"]).stdout
        NETWORK.require(pod_ip in interface_addresses(shown), SHARED_POD_IP,
                        f"{pod.name}/{container} to have the Pod IP {pod_ip} on eth0", repr(shown.strip()))


def assert_same_network_namespace(app, sidecar) -> None:
    """The (pod, container) pairs `app` and `sidecar` are in one network namespace."""
    first, second = network_namespace(*app), network_namespace(*sidecar)
    NETWORK.require(first.startswith("net:[") and second == first, SHARED_NETWORK_NAMESPACE,
                    f"{sidecar[0].name}/{sidecar[1]} in the network namespace of {app[0].name}/{app[1]} ({first})",
                    second)


def assert_other_pod_has_its_own_namespace(app, other) -> None:
    """The (pod, container) `other`, of another Pod, is not in the network namespace of `app`."""
    first, second = network_namespace(*app), network_namespace(*other)
    NETWORK.require(second.startswith("net:[") and second != first, NETWORK_NAMESPACE_PRIVATE_TO_THE_POD,
                    f"{other[0].name}/{other[1]} in a network namespace other than {first}", second)


def assert_reaches_app_on_loopback(pod, container: str, app_pod_name: str) -> None:
    """`container` gets the app's page from 127.0.0.1:8080."""
    result = pod.exec(container, ["wget", "-qO-", APP_URL], check=False)
    NETWORK.require(result.exit_code == 0 and result.stdout == f"hello from the app of {app_pod_name}\n",
                    SHARED_LOOPBACK, f"{pod.name}/{container} to get the app's page from {APP_URL}",
                    result.describe())


def assert_loopback_refused_elsewhere(other, container: str) -> None:
    """`container` of another Pod finds nothing listening on the app's loopback address."""
    result = other.exec(container, ["wget", "-qO-", APP_URL], check=False)
    NETWORK.require(result.exit_code != 0 and "refused" in result.stderr, LOOPBACK_PRIVATE_TO_THE_POD,
                    f"{other.name}/{container} to be refused at {APP_URL}", result.describe())


def assert_sees_app_socket(pod, container: str) -> None:
    """`container` lists the app's listening socket 127.0.0.1:8080."""
    listening = listening_tcp(pod.exec(container, ["netstat", "-ltn"]).stdout)
    NETWORK.require(APP_SOCKET in listening, SHARED_SOCKETS,
                    f"{pod.name}/{container} to see the app listening on {APP_SOCKET}", sorted(listening))


def assert_socket_hidden_elsewhere(other, container: str) -> None:
    """`container` of another Pod does not list the app's listening socket."""
    listening = listening_tcp(other.exec(container, ["netstat", "-ltn"]).stdout)
    NETWORK.require(APP_SOCKET not in listening, SOCKETS_PRIVATE_TO_THE_POD,
                    f"{other.name}/{container} not to see {APP_SOCKET}", sorted(listening))
