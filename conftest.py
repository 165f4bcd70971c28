"""Wires the command line to the run's session and gives the tests their fixtures.

The run's life (plan, create or attach, check, hand-off, sweep, judge, delete) is owned by
the plugin objects of helpers/session/plugin.py, registered here.
"""
from __future__ import annotations

import pytest

from helpers.kube import timeouts
from helpers.kube.cluster import PORT_FORWARD, REACHES, Cluster
from helpers.kube.kubelet import KubeletRestart, restart_kubelet
from helpers.kube.namespace import POD_SECURITY_LEVELS, TestNamespace
from helpers.kube.sidecar import STYLES
from helpers.reporting import evidence, outputs, podevidence, summary, usage
from helpers.session.pertest import KEPT_PROPERTY, NAMESPACE, PHASE_REPORTS, SHARED_FAILED, pod_security_level, release
from helpers.session.plugin import image_map, register, session_of


def pytest_addoption(parser):
    # pytest-kind's own plugin is switched off (pyproject addopts): its fixture would create
    # a cluster per xdist worker. Its KindCluster class creates the cluster (clusters/kindcreate.py).
    group = parser.getgroup("sidecar-conformance")
    group.addoption("--kubeconfig", default=None, metavar="PATH",
                    help="test the existing cluster of this kubeconfig (no kind involved)")
    group.addoption("--context", default=None, metavar="NAME",
                    help="kubeconfig context of an existing cluster to test (no kind involved)")
    group.addoption("--reach", choices=REACHES, default=PORT_FORWARD,
                    help="how tests reach a Pod's port: port-forward (default), or pod-ip from a Pod of the"
                         " cluster (what `python -m tools.conformance in-cluster` runs; --kubeconfig only)")
    group.addoption("--run-id", default=None, metavar="ID",
                    help="this run's id (its namespaces' label) when the caller must know it (in-cluster)")
    group.addoption("--kubectl", default=None, metavar="PATH",
                    help="the kubectl for port-forward and describe (default: kind's, else the one on PATH)")
    group.addoption("--cluster-name", default=None, metavar="NAME",
                    help="kind mode: the cluster's name (default: CLUSTER_NAME of versions.env)")
    group.addoption("--keep-cluster", action="store_true",
                    help="kind mode: keep (and on the next run reuse) the kind cluster")
    group.addoption("--kind-image", default=None, metavar="IMAGE",
                    help="kind mode: another node image (another Kubernetes version)")
    group.addoption("--timeout-scale", type=float, default=1.0, metavar="FACTOR",
                    help="multiply every wait's timeout (a slow cluster: 2); default 1")
    group.addoption("--disruptive", action="store_true",
                    help="run the checks that restart a node's kubelet on a cluster given with --kubeconfig or"
                         " --context too (on a kind cluster of the run they always run)")
    group.addoption("--keep-namespace-on-failure", action="store_true",
                    help="keep the namespace of a failed test for debugging (its name is printed)")
    group.addoption("--sidecar-style", choices=("both", *STYLES), default="both",
                    help="which sidecar styles to run (default: both)")
    group.addoption("--pod-security", choices=POD_SECURITY_LEVELS, default=POD_SECURITY_LEVELS[0],
                    help="Pod Security Admission level the test namespaces enforce (default: baseline)")
    group.addoption("--image-registry", default=None, metavar="PREFIX",
                    help="pull every test image from this registry (host[:port][/path]) instead")
    group.addoption("--image-map", action="append", default=[], metavar="FROM=TO",
                    help="use image TO for the pinned image FROM (a versions.env key or reference);"
                         " repeatable")
    group.addoption("--reports-dir", default=outputs.REPORTS_DIR, metavar="DIR",
                    help="where a suites run writes allure-results/, junit.xml, summary.md and"
                         " summary.json (default: reports)")


@pytest.hookimpl(tryfirst=True)  # report paths must be set before allure and junitxml configure
def pytest_configure(config: pytest.Config) -> None:
    register(config)


@pytest.fixture(scope="session")
def cluster(pytestconfig: pytest.Config) -> Cluster:
    """This process's client for the run's cluster."""
    return Cluster(session_of(pytestconfig).target, image_map(pytestconfig))


@pytest.fixture
def namespace(request: pytest.FixtureRequest, cluster: Cluster):
    """A fresh namespace for this test (its default ServiceAccount present), deleted afterwards
    whatever happened; with --keep-namespace-on-failure a failed test's namespace stays.

    It enforces --pod-security, or the level of the test's `pod_security(level)` marker."""
    created = TestNamespace(cluster, request.node.nodeid, pod_security_level(request.node, request.config))
    request.node.stash[NAMESPACE] = created  # for the evidence, also when a later fixture fails
    try:
        created.wait_default_service_account()
        yield created
        pods = created.cluster.core.list_namespaced_pod(created.name).items
        evidence.record_pod_start(request.node.user_properties, pods)
        usage.count_pods(sum(1 for pod in pods if pod.metadata.owner_references))  # a Job's Pods
    finally:
        failed = any(report.failed for report in request.node.stash.get(PHASE_REPORTS, {}).values())
        if release(request.config, created, failed):
            request.node.user_properties.append((KEPT_PROPERTY, created.name))


@pytest.fixture(scope="class")
def shared_namespace(request: pytest.FixtureRequest, cluster: Cluster, sidecar_style: str):
    """One namespace for a class of tests that share its Pods, per sidecar style: made before
    the first of them, deleted after the last (kept, with --keep-namespace-on-failure, when
    one failed). Such a class runs on one xdist worker (session.workers), in written order;
    its docstring says what a check does to the shared Pods, and each check also passes alone."""
    created = TestNamespace(cluster, f"{request.node.nodeid}[{sidecar_style}]",
                            pod_security_level(request.node, request.config))
    try:
        created.wait_default_service_account()
        yield created
    finally:
        podevidence.record_shared(created)
        release(request.config, created, request.node.stash.get(SHARED_FAILED, False))


@pytest.fixture
def restart_kubelet_of(request: pytest.FixtureRequest, namespace: TestNamespace):
    """restart_kubelet_of(node) -> KubeletRestart: the kubelet of `node` restarted, once the
    test's Pod is ready for it, in the run's one round of restarts (session.kubeletround: the
    disrupting tests first, their Pods on the nodes, no other test's) or else by a Pod in this
    test's namespace (Pod Security privileged: mark the test so), the nodes to this test alone.
    On a cluster given with --kubeconfig or --context, without --disruptive, the test is not
    selected (a skip the verdict counts as the user's choice)."""
    session = session_of(request.config)
    if session.target.kind_name is None and not request.config.getoption("disruptive"):
        pytest.skip(f"{summary.NOT_SELECTED}checks that restart a kubelet (an existing cluster: pass --disruptive)")

    def restart(node: str) -> KubeletRestart:
        return session.turns.restart_kubelet(request.node.nodeid, node, lambda: restart_kubelet(namespace, node),
                                             timeouts.NODE_TURN)

    return restart


@pytest.fixture(scope="module")
def sidecar_style(request: pytest.FixtureRequest) -> str:
    """"classic" (a regular container) or "native" (init container, restartPolicy Always).

    Native is skipped, with the cluster's reason, when the API server or a node's kubelet
    cannot run native sidecars (asked of the cluster once per run, not read from its version);
    it fails instead when the API server's version (1.29 or later) promises them.
    """
    style = request.param
    native = session_of(request.config).native
    if style == "native" and native.problem:
        if native.promised:
            pytest.fail(f"native sidecars promised by the API server's version, but {native.problem}", pytrace=False)
        pytest.skip(native.problem)
    return style


@pytest.fixture
def record_delay(request: pytest.FixtureRequest):
    """record_delay(name, seconds): report a measured delay (summary table, Allure)."""
    def record(name: str, seconds: float) -> None:
        evidence.record_delay(request.node.user_properties, name, seconds)

    return record
