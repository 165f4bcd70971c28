"""Around each test, in every process that runs tests: which run, in what order, in which
namespace, and what a test's report carries.

A test that takes `sidecar_style` runs once per style it is marked for. Collection labels each
test with its behaviour and check and puts the longest units of work first (every xdist worker
collects the same order), a test that restarts a kubelet last. A test against the cluster is
measured from before its setup to after its teardown (its cost), and its report gets the Pods
of its namespace (more on failure).
"""
from __future__ import annotations

import pytest

from helpers.behaviours import declared_styles
from helpers.kube.namespace import MARKER_POD_SECURITY_LEVELS, TestNamespace
from helpers.reporting import evidence, podevidence
from helpers.reporting.costs import CostMeter
from helpers.session import durations
from helpers.session.turns import is_disruptive
from helpers.session.workers import scope_of

NAMESPACE = pytest.StashKey[object]()  # a test's own namespace (the `namespace` fixture)
PHASE_REPORTS = pytest.StashKey[dict]()  # a test's setup/call reports, for its fixtures' teardown
SHARED_FAILED = pytest.StashKey[bool]()  # on a class of tests sharing Pods: one of them failed
COST = pytest.StashKey[CostMeter]()  # a cluster test's cost, from before its setup to after its teardown
KEPT_PROPERTY = "kept namespace"  # --keep-namespace-on-failure: a failed test's namespace, left for debugging


def pod_security_level(node: pytest.Item, config: pytest.Config) -> str:
    """--pod-security, or the level of the closest `pod_security(level)` marker."""
    marker = node.get_closest_marker("pod_security")
    level = marker.args[0] if marker else config.getoption("pod_security")
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


class TestHooks:
    """Order, evidence and cost of the tests of this process."""

    __test__ = False  # not a test class

    def __init__(self, seconds: dict[str, float], session_name: str):
        self.seconds = seconds  # by test node id, from make bench (helpers.session.durations)
        self.session_name = session_name

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "sidecar_style" not in metafunc.fixturenames:
            return
        wanted = metafunc.config.getoption("sidecar_style")
        params = [pytest.param(style, marks=getattr(pytest.mark, style), id=style)
                  for style in declared_styles(metafunc.definition) if wanted in ("both", style)]
        # module scope: a module's tests run style by style, so a class of them can share Pods
        metafunc.parametrize("sidecar_style", params, indirect=True, scope="module")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            evidence.label(item)
        items[:] = durations.longest_first(items, lambda item: item.nodeid, scope_of, self.seconds)
        # the tests that restart a kubelet first, one round of restarts for them all (session.kubeletround)
        items.sort(key=lambda item: not is_disruptive(item))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        session = item.config.pluginmanager.get_plugin(self.session_name)
        if session is not None and session.target is not None:
            item.stash[COST] = CostMeter()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call):
        """After the teardown, record what the test cost; attach the namespace's Pods to the report."""
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

    def pytest_terminal_summary(self, terminalreporter) -> None:
        kept = sorted({value for reports in terminalreporter.stats.values() for report in reports
                       for key, value in getattr(report, "user_properties", []) if key == KEPT_PROPERTY})
        if kept:
            terminalreporter.line(f"kept for debugging (--keep-namespace-on-failure; delete them yourself):"
                                  f" {', '.join(kept)}")
