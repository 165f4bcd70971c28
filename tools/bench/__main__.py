"""python -m tools.bench [-n N] [--curve 2,4,6,8] [--skip e2e,serial]: what a run costs, and where.

In one run, on one machine, one phase after another:
  e2e        a whole `make e2e` with a warm build cache (cluster created and deleted);
  create     a bare `kind create cluster --wait` (same image, same config) against the
             project's own cluster creation;
  idle       the cluster's CPU rate with nothing asked of it;
  curve      the suite at each worker count, with cluster CPU above idle and harness CPU;
             at make e2e's count also where in the node that CPU went (bench.nodeparts)
             and the Pods, containers and namespaces the run made;
  replay     the make e2e count's run again from its journal (bench.replay): the same
             objects, edits and deletions at the same moments, nobody looking; the run's
             cluster CPU above that is the suite's looking;
  calibrate  what Kubernetes spends per Pod, container, namespace, exec and log read
             (bench.calibrate): with what the run made and asked, how much of its cluster
             CPU is Kubernetes' own cost of that, in all and by part of the node;
  serial     the suite with one worker: each test's wall, cluster CPU, harness CPU, Pods,
             execs and port-forwards.
Writes reports/bench.json and reports/bench.md. Run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client
from kubernetes import config as kubeconfig_loader

from clusters.provision import prepare_kind
from helpers.kube import children
from helpers.kube.namespace import sweep
from helpers.pins import REPO_ROOT
from helpers.reporting.journal import JOURNAL_ENV

from . import calibrate, replay
from .meter import Cost, Meter, Window
from .nodecpu import NodeCpu
from .probe import CLUSTER_ENV
from .results import read_costs, write_reports

STATE = REPO_ROOT / ".cluster" / "bench"
JOURNAL = STATE / "journal"  # the reported run's (reporting.journal), for the replay
BENCH_CLUSTER = "sidecar-bench"
E2E_CLUSTER = "sidecar-bench-e2e"
BARE_CLUSTER = "sidecar-bench-bare"
PHASE_TIMEOUT = 1800
BARE_WAIT = "5m"  # `kind create cluster --wait`: how long kind waits for a Ready control plane


def children_cpu() -> float:
    """CPU seconds of this process's children that have ended (pytest, its workers, kubectl)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Timed:
    """A finished phase: wall seconds, the CPU seconds of the processes it ran, when it ended
    (wall-clock)."""

    wall: float
    harness_cpu: float
    ended: float


def timed(name: str, cmd: list[str], env: dict[str, str] | None = None) -> Timed:
    """Run cmd (output to the terminal), bounded by PHASE_TIMEOUT; stop the bench if it fails."""
    print(f"\n=== bench: {name}: {' '.join(cmd)}", flush=True)
    started, cpu = time.monotonic(), children_cpu()
    try:
        code = children.run(cmd, cwd=REPO_ROOT, timeout=PHASE_TIMEOUT, env={**os.environ, **(env or {})}).returncode
    except subprocess.TimeoutExpired:
        sys.exit(f"bench: phase {name!r} still running after {PHASE_TIMEOUT}s; nothing written")
    result = Timed(time.monotonic() - started, children_cpu() - cpu, time.time())
    print(f"=== bench: {name}: {result.wall:.1f}s wall, {result.harness_cpu:.1f} CPU-s (exit {code})", flush=True)
    if code != 0:
        sys.exit(f"bench: phase {name!r} failed (exit {code}); nothing written")
    return result


def python(*args: str) -> list[str]:
    """A command line running this Python."""
    return [sys.executable, *args]


def suite(kubeconfig: Path, kubectl: Path, workers: int, *extra: str) -> list[str]:
    """The suite against the bench cluster, its JUnit file (costs per test) in STATE; the tests
    that restart a kubelet too (--disruptive: the bench's own cluster), as make e2e runs them."""
    return python("-m", "pytest", "suites", "-q", "-n", str(workers), "--disruptive", "--kubeconfig", str(kubeconfig),
                  "--kubectl", str(kubectl), f"--junitxml={junit_of(workers)}",
                  "--reports-dir", str((STATE / f"reports-n{workers}").relative_to(REPO_ROOT)), *extra)


def junit_of(workers: int) -> Path:
    return STATE / f"junit-n{workers}.xml"


def accounting(per_object: calibrate.PerObject, made: dict[str, float], idle: Cost,
               run_parts: dict[str, float] | None, replayed: dict[str, float] | None) -> dict:
    """The reported run's cluster CPU, split two ways: what the idle cluster uses meanwhile, then
    Kubernetes' own cost of the objects it made and of the execs and log reads it asked for (at
    the calibrated prices), and the rest; or what the run's replay cost above idle (`replayed`,
    by part: nobody looking) and the run's looking."""
    floor, requests = per_object.floor(made), per_object.requests(made)
    result = {"per_object_s": {name: cost.total for name, cost in vars(per_object).items()},
              "kubernetes_floor_s": floor.total, "requests_s": requests.total}
    if run_parts is not None and idle.parts is not None and floor.parts is not None:
        result["cluster_cpu_split_s"] = {part: {
            "run": seconds, "idle": idle.parts.get(part, 0.0), "objects": floor.parts.get(part, 0.0),
            "requests": requests.parts.get(part, 0.0),
            "rest": seconds - idle.parts.get(part, 0.0) - floor.parts.get(part, 0.0) - requests.parts.get(part, 0.0),
            **({} if replayed is None else {"replay": replayed.get(part, 0.0),
                                            "looking": seconds - idle.parts.get(part, 0.0) - replayed.get(part, 0.0)}),
        } for part, seconds in run_parts.items()}
    return result


def replay_run(core: client.CoreV1Api, meter: Meter, span: tuple[float, float]) -> tuple[Window, dict[str, float]]:
    """The reported run (wall-clock `span`) replayed from its journal, measured until its last line
    was acted on, then its namespaces gone (unmeasured: the run's own deletions end after the run
    too); and the run's timeline (bench.replay.timeline)."""
    print(f"=== bench: replay: the reported run's journal ({JOURNAL}), nobody looking", flush=True)
    try:
        lines = replay.read(JOURNAL)
        run_timeline = replay.timeline(lines, *span)
        window, names = meter.measure(lambda: replay.replay(lines, replay.ClusterActions(core.api_client).act))
    except replay.ReplayFailed as exc:
        sys.exit(f"bench: replay: {exc}; nothing written")
    finally:
        sweep(core, replay.REPLAY_LABEL)
    print(f"=== bench: replay: {len(lines)} requests in {len(names)} namespaces, {window.wall:.1f}s wall", flush=True)
    return window, run_timeline


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    parser.add_argument("-n", dest="workers", type=int, default=4, help="make e2e's worker count (default 4)")
    parser.add_argument("--curve", default="2,4,6,8", help="worker counts to time the suite at (default 2,4,6,8)")
    parser.add_argument("--skip", default="", help="phases to leave out: e2e, serial (comma-separated)")
    args = parser.parse_args(argv)
    args.curve = sorted({int(n) for n in args.curve.split(",") if n} | {args.workers})
    args.skip = {s for s in args.skip.split(",") if s}
    unknown = args.skip - {"e2e", "serial"}
    if unknown:
        parser.error(f"--skip: unknown phases {', '.join(sorted(unknown))} (known: e2e, serial)")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the phases in order, then write reports/bench.json and reports/bench.md."""
    args = parse_args(argv)
    STATE.mkdir(parents=True, exist_ok=True)
    recipe = prepare_kind()
    result: dict = {"workers": args.workers}
    if "e2e" not in args.skip:
        timed("make e2e: docker", python("-m", "clusters", "docker"))
        result["e2e_warm_wall_s"] = timed("make e2e", python("-m", "pytest", "suites", "-q", "-n", str(args.workers),
                                                             "--cluster-name", E2E_CLUSTER)).wall
    kind = str(recipe.kind_bin)
    bare = timed("bare kind create --wait", [kind, "create", "cluster", "--name", BARE_CLUSTER, "--image",
                                             recipe.node_image, "--config", str(recipe.config_file), "--wait",
                                             BARE_WAIT, "--kubeconfig", str(STATE / "bare-kubeconfig")])
    timed("bare cluster delete", python("-m", "clusters", "delete", "--name", BARE_CLUSTER))
    kubeconfig = STATE / "kubeconfig"
    ours = timed("cluster (make e2e's creation)", python("-m", "clusters", "cluster", "--name", BENCH_CLUSTER,
                                                         "--kubeconfig", str(kubeconfig)))
    result["cluster_create_s"] = {"ours": ours.wall, "bare_kind_create_wait": bare.wall}
    nodes = NodeCpu(BENCH_CLUSTER)
    core = client.CoreV1Api(kubeconfig_loader.new_client_from_config(str(kubeconfig)))
    kubectl = [str(recipe.kubectl_bin), "--kubeconfig", str(kubeconfig)]
    try:
        meter = Meter(nodes)
        idle_before = meter.measure_idle()
        print(f"=== bench: idle cluster: {idle_before:.3f} CPU-s per s", flush=True)
        runs = {}
        for workers in args.curve:
            reported = workers == args.workers  # the run the headline and the breakdown are about
            if reported:
                made = calibrate.made_so_far(core, kubectl)
                shutil.rmtree(JOURNAL, ignore_errors=True)
            def run_suite(workers=workers, reported=reported):
                return timed(f"suite -n {workers}", suite(kubeconfig, recipe.kubectl_bin, workers),
                             env={JOURNAL_ENV: str(JOURNAL)} if reported else None)

            window, run = meter.measure(run_suite, parts=reported)
            runs[workers] = {"wall_s": run.wall, "harness_cpu_s": run.harness_cpu, "cluster_cpu_s": window.used.total}
            if reported:
                reported_window = window
                result["cluster_cpu_parts_s"] = window.used.parts
                result["run_made"] = calibrate.made_between(made, calibrate.made_so_far(core, kubectl))
                reported_span = run.ended - run.wall, run.ended
        replayed, result["run_timeline_s"] = replay_run(core, meter, reported_span)
        result["replay"] = {"wall_s": replayed.wall, "cluster_cpu_s": replayed.used.total}
        print(f"=== bench: calibrate: {calibrate.BATCH} bare Pods of 1 and of 3 containers, {calibrate.REQUESTS}"
              f" execs and log reads, {calibrate.BATCH} namespaces", flush=True)
        per_object = calibrate.calibrate(core, meter)
        if "serial" not in args.skip:
            timed("suite -n 0 (cost per test)", suite(kubeconfig, recipe.kubectl_bin, 0, "-p", "tools.bench.probe"),
                  env={CLUSTER_ENV: BENCH_CLUSTER})
        # The cluster settles for a while after it is created and after a run's namespaces are
        # deleted: the lower of two idle rates is subtracted, which never flatters a run.
        idle_after, _ = meter.quietest_window()
        print(f"=== bench: idle cluster after the runs: {idle_after:.3f} CPU-s per s", flush=True)
    finally:
        nodes.close()
        timed("delete", python("-m", "clusters", "delete", "--name", BENCH_CLUSTER))
    idle = min(idle_before, idle_after)
    for run in [*runs.values(), result["replay"]]:
        run["cluster_cpu_above_idle_s"] = run.pop("cluster_cpu_s") - idle * run["wall_s"]
    tests = read_costs(junit_of(0), idle) if "serial" not in args.skip else []
    result.update(accounting(per_object, result["run_made"], meter.idle_in(reported_window),
                             result["cluster_cpu_parts_s"], meter.less_idle(replayed).parts))
    result.update(idle_cpu_per_s={"before": idle_before, "after": idle_after, "subtracted": idle}, curve=runs,
                  tests=tests, run_counts=read_costs(junit_of(args.workers), idle))
    write_reports(result)


if __name__ == "__main__":
    main()
