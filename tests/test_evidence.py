"""Evidence helpers that need no cluster: kind node lookup, journal filtering, exhibits, files."""
from types import SimpleNamespace

from kubernetes import client

from helpers.reporting import podevidence
from helpers.reporting.clusterfacts import ClusterFacts, NodeFacts
from helpers.reporting.kindnodes import container_of, related_lines
from helpers.reporting.outputs import properties_line
from helpers.reporting.podevidence import Exhibit

SANDBOX = "a" * 64
CONTAINERD = [
    'level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:demo,Namespace:sc-test-1}'
    f' returns sandbox id \\"{SANDBOX}\\""',
    f'level=info msg="CreateContainer within sandbox \\"{SANDBOX}\\" for &ContainerMetadata{{Name:app}}"',
    'level=info msg="StartContainer for \\"bbbb\\""',
    'level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:demo,Namespace:sc-other-2}"',
]


def test_kind_nodes_are_found_by_their_provider_id():
    assert container_of("kind://docker/sidecar-conformance/sidecar-conformance-control-plane") == \
        "sidecar-conformance-control-plane"
    assert container_of("gce://project/zone/node-1") is None
    assert container_of(None) is None


def test_journal_lines_of_the_namespace_and_the_sandboxes_it_created():
    assert related_lines(CONTAINERD, ["sc-test-1", ""]) == CONTAINERD[:2]
    assert related_lines(CONTAINERD, ["bbbb"]) == CONTAINERD[2:3]


def test_terminal_shows_the_tail_of_an_exhibit_or_nothing():
    text = "\n".join(f"line {n}" for n in range(1, 6))
    assert Exhibit("log", text, 2).for_terminal() == "--- log ---\nline 4\nline 5"
    assert Exhibit("status", text).for_terminal().count("\n") == 5
    assert Exhibit("kubelet", text, 0).for_terminal() == ""


def test_cluster_rows_name_the_server_the_kind_image_and_the_nodes():
    nodes = [NodeFacts("n1", "v1.34.11", "containerd://1.7", "Debian", "kindest/node:v1.34.11"),
             NodeFacts("n2", "v1.34.11", "containerd://1.7", "Debian", "kindest/node:v1.34.11")]
    rows = dict(ClusterFacts("v1.34.11", {"kubectl": "v1.34.11", "kind": "v0.33.0"}, "ctx", nodes).rows())
    assert rows["Kubernetes server"] == "v1.34.11" and rows["Context"] == "ctx"
    assert rows["kind node image"] == "kindest/node:v1.34.11"
    assert rows["Nodes (2)"].startswith("n1 (kubelet v1.34.11, containerd://1.7, Debian); n2 ")
    assert rows["Tools"] == "kubectl v1.34.11, kind v0.33.0"
    assert dict(ClusterFacts("v1.30.0", {}).rows())["kind node image"] == "none (not a kind cluster)"


def test_allure_environment_lines_escape_keys_and_backslashes():
    assert properties_line("Nodes (1)", r"a: b\c") == "Nodes\\ (1)=a: b\\\\c\n"


class FakeCore:
    """A namespace of two running Pods of two containers each, that printed nothing; counts the log reads."""

    def __init__(self):
        self.log_reads = 0

    def list_namespaced_pod(self, namespace):
        statuses = [client.V1ContainerStatus(name=name, image="i", image_id="", ready=True, restart_count=0,
                                             state=client.V1ContainerState(running=client.V1ContainerStateRunning()))
                    for name in ("app", "sidecar")]
        return client.V1PodList(items=[client.V1Pod(
            metadata=client.V1ObjectMeta(name=name, namespace=namespace), spec=client.V1PodSpec(containers=[]),
            status=client.V1PodStatus(phase="Running", container_statuses=statuses)) for name in ("demo", "other")])

    def read_namespaced_pod_log(self, *args, **kwargs):
        self.log_reads += 1
        return SimpleNamespace(data=b"")


def recorded(monkeypatch, outcome: str, shared: bool) -> tuple[list[str], int]:
    """The titles `podevidence.record` attaches after a call of this outcome, and the log reads it made."""
    attached, core = [], FakeCore()
    monkeypatch.setattr(podevidence.evidence, "attach_text", lambda title, text: attached.append(title))
    monkeypatch.setattr(podevidence, "failure_exhibits", lambda namespace, pods: [])
    namespace = SimpleNamespace(name="sc-1", cluster=SimpleNamespace(core=core))
    report = SimpleNamespace(when="call", failed=outcome == "failed", skipped=False, sections=[])
    podevidence.record(report, namespace, shared=shared)
    return attached, core.log_reads


def test_shared_pods_logs_are_read_once_when_the_class_ends_unless_a_test_fails(monkeypatch):
    every = ["demo: final status", "demo/app: log", "demo/sidecar: log",
             "other: final status", "other/app: log", "other/sidecar: log"]
    assert recorded(monkeypatch, "passed", shared=False) == (every, 4)
    assert recorded(monkeypatch, "passed", shared=True) == (
        ["demo: final status", "other: final status", "container logs"], 0)
    assert recorded(monkeypatch, "failed", shared=True) == (every, 4)
    attached, core = [], FakeCore()
    monkeypatch.setattr(podevidence.evidence, "attach_text", lambda title, text: attached.append(title))
    podevidence.record_shared(SimpleNamespace(name="sc-1", cluster=SimpleNamespace(core=core)))
    assert (attached, core.log_reads) == (every, 4)
