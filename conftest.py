"""Wires the command line and the cluster session to the suites.

The cluster session is opened once per run, by the xdist controller (or by the only
process when xdist is off), and only when suites/ or controls/ is collected:
  --kubeconfig PATH / --context NAME  attach to an existing cluster, checked first;
  otherwise                           create (--keep-cluster: reuse) a kind cluster from
                                      the cluster build's recipe.
Under xdist a kind cluster is made in a thread while the workers start (session.opening);
the controller waits for it before the first test and hands the resulting ClusterTarget to
the workers in a file named in `workerinput`. When the tests are done the controller
deletes the namespaces of this run, or the kind cluster it made.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest
from kubernetes import client

from helpers.kube import timeouts, usage
from helpers.kube.apierrors import api_message
from helpers.kube.cluster import Cluster, ClusterTarget
from helpers.kube.images import ImageMap, parse_image_map, pinned_images
from helpers.kube.kubelet import KubeletRestart, restart_kubelet
from helpers.kube.nativegate import NativeSupport, ask_cluster
from helpers.kube.namespace import MARKER_POD_SECURITY_LEVELS, POD_SECURITY_LEVELS, RUN_LABEL, TestNamespace
from helpers.kube.sidecar import STYLES
from helpers.pins import pin
from helpers.reporting import evidence, outputs, podevidence, summary
from helpers.reporting.costs import CostMeter
from helpers.reporting.behaviours import declared_styles
from helpers.reporting.clusterfacts import ClusterFacts
from helpers.session.attach import attach
from helpers.session.cleanup import interrupt_on_sigterm, new_run_id, sweep_namespaces
from helpers.session.kind import KindOptions, create_kind, delete_kind, plan_kind
from helpers.session.leftovers import sweep_dead_runs
from helpers.session.opening import Opening, read_handoff, write_handoff
from helpers.session.preflight import SessionError, preflight
from helpers.session import durations
from helpers.session.turns import TakingTurns, Turns
from helpers.session.workers import SharedPodScheduling, scope_of

ROOT = Path(__file__).resolve().parent
CLUSTER_DIRS = (ROOT / "suites", ROOT / "controls")  # what runs against a cluster
TARGET = pytest.StashKey[ClusterTarget]()
NAMESPACE = pytest.StashKey[TestNamespace]()
FACTS = pytest.StashKey[ClusterFacts]()
OPENING = pytest.StashKey[Opening]()  # xdist controller: the session being opened while workers start
HANDOFF = pytest.StashKey[Path]()  # the file the controller writes the session to, for its workers (in the run's folder)
TURNS = pytest.StashKey[Turns]()  # this process's place in the run's turns on the nodes
FACTS_SHOWN = pytest.StashKey[bool]()  # the cluster's facts are in the output already (report header)
NATIVE = pytest.StashKey[NativeSupport]()  # whether the cluster runs native sidecars (asked once per run)
SHARED_FAILED = pytest.StashKey[bool]()  # on a class of tests sharing Pods: one of them failed
REPORTING = pytest.StashKey[bool]()  # this run includes suites/: default report paths, summary
SWEPT = pytest.StashKey[str]()
SUMMARY = pytest.StashKey[summary.Summary]()  # the run judged (controller, suites/ selected)
KEPT_PROPERTY = "kept namespace"  # --keep-namespace-on-failure: a failed test's namespace, left for debugging
PHASE_REPORTS = pytest.StashKey[dict]()  # a test's setup/call reports, for its fixtures' teardown
SESSION_ISSUES = pytest.StashKey[list]()  # what went wrong outside the tests (left-over namespaces)
DURATIONS = pytest.StashKey[dict]()  # seconds by test node id, from make bench (session.durations)
COST = pytest.StashKey[CostMeter]()  # a cluster test's cost, from before its setup to after its teardown
HANDOFF_KEY = "sidecar_conformance_session_file"
ALLURE_DIR_KEY = "sidecar_conformance_alluredir"  # workers parse the command line anew: pass the default on


def pytest_addoption(parser):
    # pytest-kind's own plugin is switched off (pyproject addopts): its fixture would create
    # a cluster per xdist worker. Its KindCluster class is used by helpers/session/kind.py.
    group = parser.getgroup("sidecar-conformance")
    group.addoption("--kubeconfig", default=None, metavar="PATH",
                    help="test the existing cluster of this kubeconfig (no kind involved)")
    group.addoption("--context", default=None, metavar="NAME",
                    help="kubeconfig context of an existing cluster to test (no kind involved)")
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


def image_map(config: pytest.Config) -> ImageMap:
    """The ImageMap the command line asks for (ValueError on a bad option)."""
    pinned = pinned_images()
    overrides = parse_image_map(config.getoption("image_map"), pinned)
    return ImageMap(frozenset(pinned.values()), config.getoption("image_registry"), overrides)


def selects(config: pytest.Config, directories: tuple[Path, ...]) -> bool:
    """Whether this run will execute anything from one of `directories`."""
    if config.option.help or config.option.collectonly:
        return False
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if any(path == d or d in path.parents or path in d.parents for d in directories):
            return True
    return False


def needs_cluster(config: pytest.Config) -> bool:
    """Whether this run will execute anything from suites/ or controls/."""
    return selects(config, CLUSTER_DIRS)


def open_session(config: pytest.Config, xdist: bool) -> None:
    """Attach to the cluster named on the command line and check it; or check what a kind cluster
    needs at once and create it, under xdist in the background (while the workers start)."""
    run_id = new_run_id()
    kubeconfig = config.getoption("kubeconfig")
    context = config.getoption("context")
    if kubeconfig or context:
        check_session(config, attach(kubeconfig, context, config.getoption("kubectl"), run_id))
        return
    name = config.getoption("cluster_name") or pin("CLUSTER_NAME")
    options = KindOptions(name, config.getoption("kind_image"), config.getoption("kubectl"),
                          config.getoption("keep_cluster"))
    plan = plan_kind(options)

    def create() -> None:
        check_session(config, create_kind(options, plan, run_id))

    if xdist:
        config.stash[OPENING] = Opening(create)
    else:
        create()


def check_session(config: pytest.Config, target: ClusterTarget) -> None:
    """Stash the session's target, then check it: the server and tools, native sidecars."""
    config.stash[TARGET] = target  # stashed first: a failed check still deletes a kind cluster this run made
    facts = preflight(target)
    config.stash[NATIVE] = native_support(config, target, facts.server)
    config.stash[FACTS] = replace(facts, native_sidecars=config.stash[NATIVE].problem or "supported")


def native_support(config: pytest.Config, target: ClusterTarget, server: str) -> NativeSupport:
    """Whether the cluster runs native sidecars (if not, the native style skips, or fails where
    the server's version promises them)."""
    try:
        return ask_cluster(Cluster(target, image_map(config)), server)
    except client.ApiException as exc:
        raise SessionError(f"cannot ask whether the cluster runs native sidecars: HTTP {exc.status}"
                           f" {api_message(exc)}") from None


@pytest.hookimpl(tryfirst=True)  # report paths must be set before allure and junitxml configure
def pytest_configure(config: pytest.Config) -> None:
    try:
        timeouts.set_scale(config.getoption("timeout_scale"))
        config.stash[DURATIONS] = durations.load()
    except ValueError as exc:
        pytest.exit(f"sidecar-conformance: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        if HANDOFF_KEY in workerinput:
            config.stash[HANDOFF] = Path(workerinput[HANDOFF_KEY])
            take_turns(config)
        config.option.allure_report_dir = workerinput.get(ALLURE_DIR_KEY, config.option.allure_report_dir)
        return
    if not needs_cluster(config):
        return
    config.stash[REPORTING] = selects(config, (ROOT / "suites",))
    if config.stash[REPORTING]:
        outputs.use_default_paths(config)
    try:
        image_map(config)
        xdist = config.getoption("dist", "no") != "no"
        config.stash[HANDOFF] = Path(tempfile.mkdtemp(prefix="sidecar-conformance-session-")) / "session.json"
        if not xdist:
            take_turns(config)
        open_session(config, xdist)
    except (SessionError, ValueError) as exc:
        pytest.exit(f"sidecar-conformance: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
    if config.stash[REPORTING]:
        outputs.clear_last_run(config)


def take_turns(config: pytest.Config) -> None:
    """This process runs tests: register its place in the run's turns on the nodes (the run's folder)."""
    config.stash[TURNS] = Turns(config.stash[HANDOFF].parent)
    config.pluginmanager.register(TakingTurns(config.stash[TURNS]), "sidecar-conformance-turns")


def session_opened(config: pytest.Config) -> None:
    """Controller, before the first test: wait for a kind cluster being made (an exit with its
    one-line reason when that failed), show the cluster's facts, delete namespaces of killed
    runs, hand the session to the workers."""
    if OPENING in config.stash:
        try:
            config.stash[OPENING].wait()
        except (SessionError, ValueError) as exc:
            pytest.exit(f"sidecar-conformance: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
    target = config.stash[TARGET]
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if not config.stash.get(FACTS_SHOWN, False):
        for label, value in config.stash[FACTS].rows():
            terminal.write_line(f"{label}: {value}")
    try:
        dead = sweep_dead_runs(target)
    except client.ApiException as exc:
        pytest.exit(f"sidecar-conformance: cannot list or delete namespaces of earlier runs: HTTP {exc.status}"
                    f" {exc.reason}", returncode=pytest.ExitCode.USAGE_ERROR)
    if dead:
        terminal.write_line(f"cleanup: deleted {len(dead)} namespaces of dead runs: {', '.join(dead)}")
    if HANDOFF in config.stash:
        write_handoff(config.stash[HANDOFF], target, config.stash[NATIVE])


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    """The cluster under test, at the top of the output."""
    facts = config.stash.get(FACTS, None)
    if facts is None:
        return None  # still being opened: shown once it is (session_opened)
    config.stash[FACTS_SHOWN] = True
    return [f"{label}: {value}" for label, value in facts.rows()]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Label each scenario with its behaviour and check (Allure, summary); put the longest units
    of work first (every xdist worker collects the same order)."""
    for item in items:
        evidence.label(item)
    items[:] = durations.longest_first(items, lambda item: item.nodeid, scope_of, config.stash[DURATIONS])
    # a test that disrupts the nodes waits for the others to give them back: the fewer are left, the sooner
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: tell each worker where the cluster session will be, and the Allure results folder."""
    handoff = node.config.stash.get(HANDOFF, None)
    if handoff is not None:
        node.workerinput[HANDOFF_KEY] = str(handoff)
    node.workerinput[ALLURE_DIR_KEY] = node.config.option.allure_report_dir


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`-n N` (xdist's "load"): a class of tests sharing Pods is one unit of work (session.workers)."""
    return SharedPodScheduling(config, log) if config.getoption("dist") == "load" else None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Controller opening a cluster session: SIGTERM ends the run like Ctrl-C."""
    config = session.config
    if not hasattr(config, "workerinput") and (TARGET in config.stash or OPENING in config.stash):
        interrupt_on_sigterm()


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """Controller: the cluster session is open before any test runs (then xdist's loop or pytest's)."""
    config = session.config
    if not hasattr(config, "workerinput") and (TARGET in config.stash or OPENING in config.stash):
        session_opened(config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Controller: sweep this run's namespaces (an existing cluster), then judge the run: the
    summary's verdict decides the exit code of a run that pytest found clean."""
    config = session.config
    target = config.stash.get(TARGET, None)
    if hasattr(config, "workerinput") or target is None:
        return
    if not target.delete_at_end:
        sweep(session, target)
    facts = config.stash.get(FACTS, None)
    if facts is None or not config.stash.get(REPORTING, False):
        return
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    reports = [report for reports in terminal.stats.values() for report in reports
               if isinstance(report, pytest.TestReport)]
    result = summary.build(reports, facts, target.run_id, session_issues=config.stash.get(SESSION_ISSUES, []))
    config.stash[SUMMARY] = result
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = result.exit_code()


def sweep(session: pytest.Session, target: ClusterTarget) -> None:
    """Delete this run's namespaces and wait for them; namespaces left are a session problem
    (the run fails)."""
    config = session.config
    started = time.monotonic()
    try:
        swept = sweep_namespaces(target)
    except AssertionError as exc:
        config.stash[SWEPT] = f"namespaces of this run are left over: {exc}"
        config.stash.setdefault(SESSION_ISSUES, []).append(f"left behind: {str(exc).splitlines()[0]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        config.stash[SWEPT] = (f"namespaces labelled {RUN_LABEL}={target.run_id}: none left (waited"
                               f" {time.monotonic() - started:.1f}s for {len(swept)} still terminating)")


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    if HANDOFF in config.stash:
        shutil.rmtree(config.stash[HANDOFF].parent, ignore_errors=True)
    if OPENING in config.stash:
        if not config.stash[OPENING].done:
            config.pluginmanager.get_plugin("terminalreporter").write_line(
                "interrupted while the kind cluster is being made: waiting for it, to delete it")
        try:
            config.stash[OPENING].wait()
        except Exception:  # noqa: BLE001 - reported by session_opened, or the run was interrupted first
            pass
    target = config.stash.get(TARGET, None)
    if target is not None and target.delete_at_end:
        try:
            delete_kind(target)
        except SessionError as exc:
            sys.stderr.write(f"sidecar-conformance: {exc} (delete it yourself: kind delete cluster --name"
                             f" {target.kind_name})\n")


def pytest_terminal_summary(terminalreporter) -> None:
    """The conformance summary: printed, and written to reports/summary.{md,json}."""
    config = terminalreporter.config
    result = config.stash.get(SUMMARY, None)
    if result is not None:
        written = outputs.write_summary(config, result)
        terminalreporter.section("sidecar conformance summary")
        for line in summary.terminal_lines(result):
            terminalreporter.line(line)
        terminalreporter.line("written: " + ", ".join(outputs.display(path) for path in written))
    swept = config.stash.get(SWEPT, None)
    if swept:
        terminalreporter.line(f"cleanup: {swept}")
    kept = sorted({value for reports in terminalreporter.stats.values() for report in reports
                   for key, value in getattr(report, "user_properties", []) if key == KEPT_PROPERTY})
    if kept:
        terminalreporter.line(f"kept for debugging (--keep-namespace-on-failure; delete them yourself):"
                              f" {', '.join(kept)}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that takes `sidecar_style` once per style it is marked for."""
    if "sidecar_style" not in metafunc.fixturenames:
        return
    wanted = metafunc.config.getoption("sidecar_style")
    params = [pytest.param(style, marks=getattr(pytest.mark, style), id=style)
              for style in declared_styles(metafunc.definition) if wanted in ("both", style)]
    # module scope: a module's tests run style by style, so a class of them can share Pods
    metafunc.parametrize("sidecar_style", params, indirect=True, scope="module")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Worker: read the cluster session before its first test. Start measuring what a test
    against the cluster costs."""
    if TARGET not in item.config.stash and HANDOFF in item.config.stash:
        item.config.stash[TARGET], item.config.stash[NATIVE] = read_handoff(item.config.stash[HANDOFF])
    if item.config.stash.get(TARGET, None) is not None:
        item.stash[COST] = CostMeter()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Attach the test namespace's Pods to the Allure result (much more, and to the report, on failure);
    after the teardown, record what the test cost."""
    meter = item.stash.get(COST, None)
    if call.when == "teardown" and meter is not None:
        meter.record(item.user_properties)
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    shared = getattr(item, "funcargs", {}).get("shared_namespace")
    namespace = item.stash.get(NAMESPACE, None) or shared
    if namespace is not None:
        podevidence.record(report, namespace, shared=namespace is shared)
    if report.failed and shared is not None:
        item.getparent(pytest.Class).stash[SHARED_FAILED] = True
        if item.config.getoption("keep_namespace_on_failure"):
            item.user_properties.append((KEPT_PROPERTY, shared.name))
    return report


@pytest.fixture(scope="session")
def cluster(pytestconfig: pytest.Config) -> Cluster:
    """This process's client for the run's cluster."""
    target = pytestconfig.stash.get(TARGET, None)
    if target is None:
        pytest.fail("no cluster session: it is opened when suites/ or controls/ is collected")
    return Cluster(target, image_map(pytestconfig))


def pod_security_level(request: pytest.FixtureRequest) -> str:
    """--pod-security, or the level of the closest `pod_security(level)` marker."""
    marker = request.node.get_closest_marker("pod_security")
    level = marker.args[0] if marker else request.config.getoption("pod_security")
    if level not in MARKER_POD_SECURITY_LEVELS:
        pytest.fail(f"pod_security({level!r}): not one of {MARKER_POD_SECURITY_LEVELS}", pytrace=False)
    return level


def release(config: pytest.Config, created: TestNamespace, failed: bool) -> bool:
    """Delete a test's namespace, or keep it when a test in it failed and
    --keep-namespace-on-failure is set; True when kept."""
    if failed and config.getoption("keep_namespace_on_failure"):
        created.keep()
        return True
    created.delete()
    return False


@pytest.fixture
def namespace(request: pytest.FixtureRequest, cluster: Cluster):
    """A fresh namespace for this test (its default ServiceAccount present), deleted afterwards
    whatever happened; with --keep-namespace-on-failure a failed test's namespace stays.

    It enforces --pod-security, or the level of the test's `pod_security(level)` marker."""
    created = TestNamespace(cluster, request.node.nodeid, pod_security_level(request))
    request.node.stash[NAMESPACE] = created  # for the evidence, also when a later fixture fails
    try:
        created.wait_default_service_account()
        yield created
        pods = created.cluster.core.list_namespaced_pod(created.name).items
        evidence.record_pod_start(request.node.user_properties, pods)
        usage.count(usage.PODS, sum(1 for pod in pods if pod.metadata.owner_references))  # a Job's Pods
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
    created = TestNamespace(cluster, f"{request.node.nodeid}[{sidecar_style}]", pod_security_level(request))
    try:
        created.wait_default_service_account()
        yield created
    finally:
        podevidence.record_shared(created)
        release(request.config, created, request.node.stash.get(SHARED_FAILED, False))


@pytest.fixture
def restart_kubelet_of(request: pytest.FixtureRequest, namespace: TestNamespace):
    """restart_kubelet_of(node) -> KubeletRestart: the kubelet of `node` restarted by a Pod in
    this test's namespace (Pod Security privileged: mark the test so), with the nodes to this
    test alone meanwhile. On a cluster given with --kubeconfig or --context, without
    --disruptive, the test is not selected (a skip the verdict counts as the user's choice)."""
    config = request.config
    if config.stash[TARGET].kind_name is None and not config.getoption("disruptive"):
        pytest.skip(f"{summary.NOT_SELECTED}checks that restart a kubelet (an existing cluster: pass --disruptive)")

    def restart(node: str) -> KubeletRestart:
        with config.stash[TURNS].alone(timeouts.NODE_TURN):
            return restart_kubelet(namespace, node)

    return restart


@pytest.fixture(scope="module")
def sidecar_style(request: pytest.FixtureRequest) -> str:
    """"classic" (a regular container) or "native" (init container, restartPolicy Always).

    Native is skipped, with the cluster's reason, when the API server or a node's kubelet
    cannot run native sidecars (asked of the cluster once per run, not read from its version);
    it fails instead when the API server's version (1.29 or later) promises them.
    """
    style = request.param
    native = request.config.stash[NATIVE]
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
