"""Wires the command line and the cluster session to the suites.

The cluster session is opened once per run, by the xdist controller (or by the only
process when xdist is off), and only when suites/ is collected:
  --kubeconfig PATH / --context NAME  attach to an existing cluster, checked first;
  otherwise                           create (--keep-cluster: reuse) a kind cluster from
                                      the cluster build's recipe.
Workers receive the resulting ClusterTarget through `workerinput`. When the tests are
done the controller deletes the namespaces of this run, or the kind cluster it made.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import evidence
from helpers.cluster import Cluster, ClusterTarget
from helpers.images import ImageMap, parse_image_map, pinned_images
from helpers.namespace import RUN_LABEL, TestNamespace
from clusterbuild.pins import pin
from helpers.session import (
    KindOptions,
    SessionError,
    attach,
    create_kind,
    delete_kind,
    new_run_id,
    sweep_namespaces,
)
from helpers.sidecar import NATIVE_SINCE, STYLES

SUITES = Path(__file__).resolve().parent / "suites"
TARGET = pytest.StashKey[ClusterTarget]()
SWEPT = pytest.StashKey[str]()
WORKER_KEY = "sidecar_conformance_target"
PYTEST_KIND_DEFAULT_NAME = "pytest-kind"


def pytest_addoption(parser):
    # pytest-kind already provides --cluster-name, --keep-cluster, --kubeconfig,
    # --kind-image, --kind-bin and --kind-kubectl-bin; they are used as they are.
    group = parser.getgroup("sidecar-conformance")
    group.addoption("--context", default=None, metavar="NAME",
                    help="kubeconfig context of an existing cluster to test (no kind involved)")
    group.addoption("--sidecar-style", choices=("both", *STYLES), default="both",
                    help="which sidecar styles to run (default: both)")
    group.addoption("--image-registry", default=None, metavar="PREFIX",
                    help="pull every test image from this registry (host[:port][/path]) instead")
    group.addoption("--image-map", action="append", default=[], metavar="FROM=TO",
                    help="use image TO for the pinned image FROM (a versions.env key or reference);"
                         " repeatable")


def image_map(config: pytest.Config) -> ImageMap:
    """The ImageMap the command line asks for (ValueError on a bad option)."""
    pinned = pinned_images()
    overrides = parse_image_map(config.getoption("image_map"), pinned)
    return ImageMap(frozenset(pinned.values()), config.getoption("image_registry"), overrides)


def needs_cluster(config: pytest.Config) -> bool:
    """Whether this run will execute anything from suites/."""
    if config.option.help or config.option.collectonly:
        return False
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == SUITES or SUITES in path.parents or path in SUITES.parents:
            return True
    return False


def open_session(config: pytest.Config) -> ClusterTarget:
    """Attach to the cluster named on the command line, or create the kind cluster."""
    run_id = new_run_id()
    kubeconfig = config.getoption("kubeconfig")
    context = config.getoption("context")
    if kubeconfig or context:
        return attach(kubeconfig, context, config.getoption("kind_kubectl_bin"), run_id)
    name = config.getoption("cluster_name")
    if name == PYTEST_KIND_DEFAULT_NAME:
        name = pin("CLUSTER_NAME")
    if config.getoption("kind_bin"):
        raise SessionError("--kind-bin: the cluster build chooses kind (KIND_VERSION in versions.env,"
                           " or SIDECAR_CONFORMANCE_KIND_VERSION)")
    options = KindOptions(name, config.getoption("kind_image"), config.getoption("kind_kubectl_bin"),
                          config.getoption("keep_cluster"))
    return create_kind(options, run_id)


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        if WORKER_KEY in workerinput:
            config.stash[TARGET] = ClusterTarget.from_dict(workerinput[WORKER_KEY])
        return
    if not needs_cluster(config):
        return
    try:
        image_map(config)
        config.stash[TARGET] = open_session(config)
    except (SessionError, ValueError) as exc:
        pytest.exit(f"sidecar-conformance: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: hand the controller's cluster session to each worker."""
    target = node.config.stash.get(TARGET, None)
    if target is not None:
        node.workerinput[WORKER_KEY] = target.to_dict()


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    target = config.stash.get(TARGET, None)
    if hasattr(config, "workerinput") or target is None or target.delete_at_end:
        return
    try:
        swept = sweep_namespaces(target)
    except AssertionError as exc:
        config.stash[SWEPT] = f"namespaces of this run are left over: {exc}"
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        config.stash[SWEPT] = (f"namespaces labelled {RUN_LABEL}={target.run_id}: none left"
                               f" (waited for {len(swept)} still terminating)")


def pytest_unconfigure(config: pytest.Config) -> None:
    target = config.stash.get(TARGET, None)
    if not hasattr(config, "workerinput") and target is not None and target.delete_at_end:
        delete_kind(target)


def pytest_terminal_summary(terminalreporter) -> None:
    reports = [report for reports in terminalreporter.stats.values() for report in reports
               if getattr(report, "when", None) == "call"]
    rows = evidence.delays(reports)
    if rows:
        terminalreporter.section("measured delays")
        for line in evidence.delay_table(rows):
            terminalreporter.line(line)
    swept = terminalreporter.config.stash.get(SWEPT, None)
    if swept:
        terminalreporter.line(f"cleanup: {swept}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that takes `sidecar_style` once per style it is marked for."""
    if "sidecar_style" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("sidecar_styles")
    styles = marker.args if marker else STYLES
    wanted = metafunc.config.getoption("sidecar_style")
    params = [pytest.param(style, marks=getattr(pytest.mark, style), id=style)
              for style in styles if wanted in ("both", style)]
    metafunc.parametrize("sidecar_style", params, indirect=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """On failure, add the test namespace's Pods, logs and events to the report."""
    report = yield
    namespace = getattr(item, "funcargs", {}).get("namespace")
    if report.failed and report.when in ("setup", "call") and isinstance(namespace, TestNamespace):
        try:
            text = namespace.evidence()
        except Exception as exc:  # the cluster may be what failed
            text = f"(could not collect evidence: {type(exc).__name__}: {exc})"
        report.sections.append((f"cluster evidence: namespace {namespace.name}", text))
        evidence.attach_text(f"namespace {namespace.name}", text)
    return report


@pytest.fixture(scope="session")
def cluster(pytestconfig: pytest.Config) -> Cluster:
    """This process's client for the run's cluster."""
    target = pytestconfig.stash.get(TARGET, None)
    if target is None:
        pytest.fail("no cluster session: it is opened when suites/ is collected (pytest suites ...)")
    return Cluster(target, image_map(pytestconfig))


@pytest.fixture
def namespace(request: pytest.FixtureRequest, cluster: Cluster):
    """A fresh namespace for this test, deleted afterwards whatever happened."""
    created = TestNamespace(cluster, request.node.nodeid)
    yield created
    created.delete()


@pytest.fixture
def sidecar_style(request: pytest.FixtureRequest, cluster: Cluster) -> str:
    """"classic" (a regular container) or "native" (init container, restartPolicy Always)."""
    style = request.param
    if style == "native" and not cluster.supports_native_sidecars:
        pytest.skip(f"native sidecars need Kubernetes >= {NATIVE_SINCE[0]}.{NATIVE_SINCE[1]};"
                    f" the server is {cluster.version_info.git_version}")
    return style


@pytest.fixture
def record_delay(request: pytest.FixtureRequest):
    """record_delay(name, seconds): report a measured delay (summary table, Allure)."""
    def record(name: str, seconds: float) -> None:
        evidence.record_delay(request.node.user_properties, name, seconds)

    return record
