"""Native sidecars are gated by what the cluster does: its API server and its kubelets."""
from kubernetes import client

from helpers.kube.nativegate import api_problem, kubelet_problem, probe_pod


def node(name, kubelet, unschedulable=False):
    return client.V1Node(metadata=client.V1ObjectMeta(name=name), spec=client.V1NodeSpec(unschedulable=unschedulable),
                         status=client.V1NodeStatus(node_info=client.V1NodeSystemInfo(
                             kubelet_version=kubelet, architecture="", boot_id="", container_runtime_version="",
                             kernel_version="", kube_proxy_version="", machine_id="", operating_system="",
                             os_image="", system_uuid="")))


def test_an_old_schedulable_kubelet_is_named():
    assert kubelet_problem([node("a", "v1.29.0"), node("b", "v1.34.11")]) is None
    assert kubelet_problem([node("old", "v1.28.9", unschedulable=True)]) is None
    assert kubelet_problem([node("a", "v1.34.1"), node("old", "v1.28.9")]) == (
        "native sidecars need kubelet >= 1.29; these nodes run older ones: old (kubelet v1.28.9)")


class FakeCore:
    """create_namespaced_pod answers as an API server with the feature gate on or off."""

    def __init__(self, keeps_restart_policy: bool):
        self.keeps = keeps_restart_policy
        self.dry_runs = []

    def create_namespaced_pod(self, namespace, body, dry_run=None):
        self.dry_runs.append(dry_run)
        sidecar = client.V1Container(name="sidecar", restart_policy="Always" if self.keeps else None)
        return client.V1Pod(spec=client.V1PodSpec(init_containers=[sidecar], containers=[]))


def test_a_dropped_restart_policy_means_the_feature_gate_is_off():
    on, off = FakeCore(True), FakeCore(False)
    assert api_problem(on, "ns", "busybox") is None
    assert "drops restartPolicy from init containers (feature gate SidecarContainers off)" in api_problem(off, "ns", "b")
    assert on.dry_runs == ["All"]


def test_the_probe_pod_has_one_native_sidecar():
    spec = probe_pod("busybox")["spec"]
    assert [c.get("restartPolicy") for c in spec["initContainers"]] == ["Always"]


def test_an_api_server_of_1_29_or_later_that_drops_native_sidecars_breaks_a_promise():
    from helpers.kube.nativegate import support
    dropped = "the API server drops restartPolicy from init containers"
    assert support(dropped, True, "v1.29.0").promised
    assert support(dropped, True, "v1.34.11").promised
    assert not support(dropped, True, "v1.28.15").promised  # alpha there: off by default
    assert not support("native sidecars need kubelet >= 1.29", False, "v1.34.11").promised  # allowed skew
    assert support(None, False, "v1.34.11").problem is None
