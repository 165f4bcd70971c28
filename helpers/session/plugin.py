"""The run's life as pytest plugin objects, controller and worker apart (as pytest-xdist keeps
its DSession and WorkerInteractor apart).

`register(config)` (conftest's pytest_configure) picks them: every process that runs tests
gets TestHooks (order, evidence, cost); the process that owns the run (xdist's controller,
or the only process) gets a RunSession when suites/ or controls/ is collected; an xdist
worker gets a WorkerSession. A RunSession owns, in this order: plan (the quick checks, the
cluster build), create (a kind cluster, under xdist in a thread while the workers start) or
attach (a kubeconfig), check (preflight, native sidecars), hand-off (a file the workers
read), sweep (this run's namespaces), judge (the summary and the exit code) and delete (a
kind cluster it made). Its state is in its attributes; fixtures reach it with `session_of`.
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

from helpers.behaviours import markers
from helpers.kube import timeouts
from helpers.kube.apierrors import api_message
from helpers.kube.cluster import PORT_FORWARD, Cluster, ClusterTarget
from helpers.kube.images import ImageMap, parse_image_map, pinned_images
from helpers.kube.namespace import RUN_LABEL
from helpers.kube.nativegate import NativeSupport, ask_cluster
from helpers.pins import REPO_ROOT, pin, pins
from helpers.reporting import observing, outputs, render, summary
from helpers.reporting.clusterfacts import ClusterFacts
from helpers.reporting.verdict import EXIT_CODES, Verdict
from helpers.session import durations
from helpers.session.attach import attach
from helpers.session.cleanup import given_run_id, interrupt_on_sigterm, new_run_id, sweep_namespaces
from helpers.session.leftovers import sweep_dead_runs
from helpers.session.opening import Opening, read_handoff, write_handoff
from helpers.session.pertest import TestHooks
from helpers.session.preflight import SessionError, preflight
from helpers.session.turns import TakingTurns, Turns
from helpers.session.workers import SharedPodScheduling

CLUSTER_DIRS = (REPO_ROOT / "suites", REPO_ROOT / "controls")  # what runs against a cluster
NAME = "sidecar-conformance-session"
HANDOFF_KEY = "sidecar_conformance_session_file"
ALLURE_DIR_KEY = "sidecar_conformance_alluredir"  # workers parse the command line anew: pass the default on


def image_map(config: pytest.Config) -> ImageMap:
    """The ImageMap the command line asks for (ValueError on a bad option)."""
    pinned = pinned_images(pins())
    overrides = parse_image_map(config.getoption("image_map"), pinned)
    return ImageMap(pinned, config.getoption("image_registry"), overrides)


def selects(config: pytest.Config, directories: tuple[Path, ...]) -> bool:
    """Whether this run will execute anything from one of `directories`."""
    if config.option.help or config.option.collectonly:
        return False
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if any(path == d or d in path.parents or path in d.parents for d in directories):
            return True
    return False


def usage_error(reason: object) -> None:
    """End the run with one line: a session that could not start."""
    pytest.exit(f"sidecar-conformance: {reason}", returncode=EXIT_CODES[Verdict.SESSION_PROBLEM])


def register(config: pytest.Config) -> None:
    """Register the plugins this process needs (see the module's docstring)."""
    observing.register()
    for line in markers():
        config.addinivalue_line("markers", line)
    try:
        timeouts.set_scale(config.getoption("timeout_scale"))
        config.pluginmanager.register(TestHooks(durations.load(), NAME), "sidecar-conformance-tests")
    except ValueError as exc:
        usage_error(exc)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        config.pluginmanager.register(WorkerSession(config, workerinput), NAME)
    elif selects(config, CLUSTER_DIRS):
        run = RunSession(config)
        config.pluginmanager.register(run, NAME)  # first: a kind cluster made before a failed check is deleted
        run.start()


def session_of(config: pytest.Config) -> RunSession | WorkerSession:
    """This process's session (its target, native support and turns on the nodes)."""
    found = config.pluginmanager.get_plugin(NAME)
    if found is None or found.target is None:
        pytest.fail("no cluster session: it is opened when suites/ or controls/ is collected")
    return found


class Session:
    """What every process that runs tests against the cluster knows of the session."""

    target: ClusterTarget | None = None
    native: NativeSupport | None = None
    turns: Turns | None = None

    def take_turns(self, config: pytest.Config, folder: Path) -> None:
        """This process runs tests: its place in the run's turns on the nodes (the run's folder)."""
        self.turns = Turns(folder)
        config.pluginmanager.register(TakingTurns(self.turns), "sidecar-conformance-turns")


class WorkerSession(Session):
    """An xdist worker: the session the controller handed off, read before the first test."""

    def __init__(self, config: pytest.Config, workerinput: dict):
        config.option.allure_report_dir = workerinput.get(ALLURE_DIR_KEY, config.option.allure_report_dir)
        self.handoff = Path(workerinput[HANDOFF_KEY]) if HANDOFF_KEY in workerinput else None
        if self.handoff is not None:
            self.take_turns(config, self.handoff.parent)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> None:
        if self.target is None and self.handoff is not None:
            self.target, self.native = read_handoff(self.handoff)


class RunSession(Session):
    """The process that owns the run: see the module's docstring for its steps."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.reporting = selects(config, (REPO_ROOT / "suites",))  # default report paths, summary
        self.facts: ClusterFacts | None = None
        self.facts_shown = False
        self.opening: Opening | None = None  # a kind cluster being made while the workers start
        self.summary: summary.Summary | None = None
        self.swept = ""
        self.issues: list[str] = []  # what went wrong outside the tests (left-over namespaces)
        self.handoff = Path(tempfile.mkdtemp(prefix="sidecar-conformance-session-")) / "session.json"

    def start(self) -> None:
        """Plan, then attach or create (under xdist: in a thread) and check; one line when it cannot."""
        config = self.config
        if self.reporting:
            outputs.use_default_paths(config)
        try:
            image_map(config)
            xdist = config.getoption("dist", "no") != "no"
            if not xdist:
                self.take_turns(config, self.handoff.parent)
            self.open(xdist)
        except (SessionError, ValueError) as exc:
            usage_error(exc)
        if self.reporting:
            outputs.clear_last_run(config)

    def open(self, xdist: bool) -> None:
        """Attach to the cluster named on the command line and check it; or plan a kind cluster
        (its quick checks and build, at once) and create it, under xdist in a thread."""
        config = self.config
        run_id = given_run_id(config.getoption("run_id")) or new_run_id()
        kubeconfig, context, reach = config.getoption("kubeconfig"), config.getoption("context"), config.getoption("reach")
        if kubeconfig or context:
            self.check(attach(kubeconfig, context, config.getoption("kubectl"), run_id, self.handoff.parent, reach))
            return
        if reach != PORT_FORWARD:
            raise SessionError(f"--reach {reach}: only for a run inside the cluster it tests (give --kubeconfig)")
        from helpers.session.kind import KindOptions, create_kind, plan_kind  # the cluster build: kind runs only

        options = KindOptions(config.getoption("cluster_name") or pin("CLUSTER_NAME"), config.getoption("kind_image"),
                              config.getoption("kubectl"), config.getoption("keep_cluster"))
        plan = plan_kind(options)

        def create() -> None:
            self.check(create_kind(options, plan, run_id), {"docker": plan.docker_version})

        if xdist:
            self.opening = Opening(create)
        else:
            create()

    def check(self, target: ClusterTarget, known: dict[str, str] | None = None) -> None:
        """Keep the target, then check it: the server and tools, native sidecars."""
        self.target = target  # kept first: a failed check still deletes a kind cluster this run made
        facts = preflight(target, known or {})
        try:
            self.native = ask_cluster(Cluster(target, image_map(self.config)), facts.server)
        except client.ApiException as exc:
            raise SessionError(f"cannot ask whether the cluster runs native sidecars: HTTP {exc.status}"
                               f" {api_message(exc)}") from None
        self.facts = replace(facts, native_sidecars=self.native.problem or "supported")

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        interrupt_on_sigterm()  # SIGTERM ends the run like Ctrl-C: swept, a kind cluster deleted

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        """Before the first test: the kind cluster made (or one line why not), the facts shown,
        namespaces of killed runs deleted, the session handed to the workers."""
        if self.opening is not None:
            try:
                self.opening.wait()
            except (SessionError, ValueError) as exc:
                usage_error(exc)
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if not self.facts_shown:
            for label, value in self.facts.rows():
                terminal.write_line(f"{label}: {value}")
        try:
            dead = sweep_dead_runs(self.target)
        except client.ApiException as exc:
            usage_error(f"cannot list or delete namespaces of earlier runs: HTTP {exc.status} {exc.reason}")
        if dead:
            terminal.write_line(f"cleanup: deleted {len(dead)} namespaces of dead runs: {', '.join(dead)}")
        write_handoff(self.handoff, self.target, self.native)

    def pytest_report_header(self, config: pytest.Config) -> list[str] | None:
        """The cluster under test, at the top of the output (once it is open)."""
        if self.facts is None:
            return None
        self.facts_shown = True
        return [f"{label}: {value}" for label, value in self.facts.rows()]

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        """xdist: tell each worker where the session will be, and the Allure results folder."""
        node.workerinput[HANDOFF_KEY] = str(self.handoff)
        node.workerinput[ALLURE_DIR_KEY] = node.config.option.allure_report_dir

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log):
        """`-n N` (xdist's "load"): a class of tests sharing Pods is one unit of work."""
        return SharedPodScheduling(config, log) if config.getoption("dist") == "load" else None

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Sweep this run's namespaces (an existing cluster), then judge the run: the summary's
        verdict decides the exit code of a run that pytest found clean."""
        if self.target is None:
            return
        if not self.target.delete_at_end:
            self.sweep(session)
        if self.facts is None or not self.reporting:
            return
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        reports = [report for reports in terminal.stats.values() for report in reports
                   if isinstance(report, pytest.TestReport)]
        self.summary = summary.build(reports, self.facts, self.target.run_id, session_issues=self.issues)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = self.summary.exit_code()

    def sweep(self, session: pytest.Session) -> None:
        """Delete this run's namespaces and wait for them; namespaces left are a session problem."""
        started = time.monotonic()
        try:
            swept = sweep_namespaces(self.target)
        except AssertionError as exc:
            self.swept = f"namespaces of this run are left over: {exc}"
            self.issues.append(f"left behind: {str(exc).splitlines()[0]}")
            session.exitstatus = EXIT_CODES[Verdict.FAIL]
        else:
            self.swept = (f"namespaces labelled {RUN_LABEL}={self.target.run_id}: none left (waited"
                          f" {time.monotonic() - started:.1f}s for {len(swept)} still terminating)")

    def pytest_terminal_summary(self, terminalreporter) -> None:
        """The conformance summary: printed, and written to reports/summary.{md,json}."""
        if self.summary is not None:
            written = outputs.write_summary(self.config, self.summary)
            terminalreporter.section("sidecar conformance summary")
            for line in render.terminal_lines(self.summary):
                terminalreporter.line(line)
            terminalreporter.line("written: " + ", ".join(outputs.display(path) for path in written))
        if self.swept:
            terminalreporter.line(f"cleanup: {self.swept}")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The run's folder removed; a kind cluster this run made deleted (waited for, when the run
        was interrupted while it was being made)."""
        shutil.rmtree(self.handoff.parent, ignore_errors=True)
        if self.opening is not None:
            if not self.opening.done:
                config.pluginmanager.get_plugin("terminalreporter").write_line(
                    "interrupted while the kind cluster is being made: waiting for it, to delete it")
            try:
                self.opening.wait()
            except Exception:  # noqa: BLE001 - reported before the first test, or the run was interrupted first
                pass
        if self.target is not None and self.target.delete_at_end:
            from helpers.session.kind import delete_kind

            try:
                delete_kind(self.target)
            except SessionError as exc:
                sys.stderr.write(f"sidecar-conformance: {exc} (delete it yourself: kind delete cluster --name"
                                 f" {self.target.kind_name})\n")
