"""Evidence helpers that need no cluster: kind node lookup, journal filtering, exhibits, files."""
from reporting.clusterfacts import ClusterFacts, NodeFacts
from reporting.kindnodes import container_of, related_lines
from reporting.outputs import properties_line
from reporting.podevidence import Exhibit

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
