"""What the bench read from its runs' JUnit files, the goals it judges, and the reports it writes."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from helpers.pins import REPO_ROOT
from helpers.reporting import usage
from helpers.reporting.costs import HARNESS_CPU
from helpers.reporting.junitstats import read_cases

from .probe import CLUSTER_CPU

REPORTS = REPO_ROOT / "reports"
# Delays that are waits Kubernetes imposes (the rest of a test's time is the suite's own).
INHERENT_MARKERS = ("pod start", "ConfigMap edit", "SIGKILL", "buffer flushed", "job complete", "propagation max")
COUNTS = (usage.PODS, usage.EXECS, usage.PORT_FORWARDS)
PER_OBJECT = {"pod": "Pod of one container", "container": "each more container", "namespace": "namespace",
              "exec": "exec", "log_read": "log read"}


@dataclass
class TestCost:
    """One test case: wall time, the Kubernetes waits in it, and what it cost."""

    name: str
    seconds: float
    outcome: str
    inherent_s: float
    harness_cpu_s: float
    cluster_cpu_above_idle_s: float | None  # only in a one-worker run (tools.bench.probe)
    counts: dict[str, int] = field(default_factory=dict)


def inherent(delays: dict[str, float]) -> float:
    """Seconds of a test spent in waits Kubernetes imposes (pod start, reload, grace...)."""
    return sum(v for k, v in delays.items() if any(m in k for m in INHERENT_MARKERS))


def read_costs(path: Path, idle_per_s: float) -> list[TestCost]:
    """The test cases of a bench JUnit file; cluster CPU less what the idle cluster uses meanwhile."""
    tests = []
    for case in read_cases(path):
        costs = case.costs()
        cluster = costs.get(CLUSTER_CPU)
        tests.append(TestCost(f"{case.classname.split('.')[-1]}::{case.name}", case.seconds, case.outcome,
                              inherent(case.delays()), costs.get(HARNESS_CPU, 0.0),
                              None if cluster is None else cluster - idle_per_s * case.seconds,
                              {what: int(costs.get(what, 0)) for what in COUNTS}))
    return tests


@dataclass(frozen=True)
class Goal:
    """A measured value against its target (None: not measured in this run)."""

    name: str
    measured: float | None
    target: float | None
    unit: str = "s"

    @property
    def met(self) -> bool | None:
        if self.measured is None or self.target is None:
            return None
        return self.measured <= self.target

    def line(self) -> str:
        if self.met is None:
            return f"{self.name}: not measured in this run"
        verdict = "met" if self.met else "MISSED"
        return f"{self.name}: {self.measured:.1f}{self.unit} vs target {self.target:.1f}{self.unit} -> {verdict}"


def headline(result: dict) -> dict[str, float | None]:
    """The four numbers the goals are about (None when their phase was skipped)."""
    serial = [t.seconds for t in result["tests"]]
    default = result["curve"][result["workers"]]
    return {"suite_wall_s": default["wall_s"], "longest_test_s": max(serial) if serial else None,
            "cluster_cpu_above_idle_s": default["cluster_cpu_above_idle_s"],
            "e2e_warm_wall_s": result.get("e2e_warm_wall_s")}


def goals(top: dict[str, float | None], create: dict[str, float]) -> list[Goal]:
    longest = top["longest_test_s"]
    return [
        Goal("suite wall vs 2.5 x longest test (-n 0)", top["suite_wall_s"], longest and 2.5 * longest),
        Goal("cluster CPU above idle, whole suite", top["cluster_cpu_above_idle_s"], 45.0),
        Goal("make e2e, warm build cache", top["e2e_warm_wall_s"], 90.0),
        Goal("cluster creation vs bare kind create --wait + 5 s", create["ours"], create["bare_kind_create_wait"] + 5),
    ]


def rounded(value):
    """Floats to 0.1 (CPU rates to 0.001), recursively."""
    if isinstance(value, float):
        return round(value, 3 if abs(value) < 1 else 1)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def totals(tests: list[TestCost]) -> dict[str, float]:
    """Pods, execs, port-forwards and harness CPU of a whole run, summed over its tests."""
    return {**{what: sum(t.counts.get(what, 0) for t in tests) for what in COUNTS},
            "harness_cpu_in_tests_s": sum(t.harness_cpu_s for t in tests), "tests": len(tests)}


def write_reports(result: dict) -> None:
    """reports/bench.json (headline keys first) and reports/bench.md; print the table."""
    top = headline(result)
    judged = goals(top, result["cluster_create_s"])
    data = {**top, **{k: v for k, v in result.items() if k not in ("tests", "run_counts")},
            "run_totals": totals(result["run_counts"]),
            "tests": [asdict(t) for t in sorted(result["tests"], key=lambda t: -t.seconds)],
            "goals": [{"goal": g.name, "measured": g.measured, "target": g.target, "met": g.met} for g in judged]}
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "bench.json").write_text(json.dumps(rounded(data), indent=2) + "\n")
    lines = table(rounded(data), judged)
    (REPORTS / "bench.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def where_it_went(data: dict) -> list[str]:
    """The make e2e worker count's run: Kubernetes' own cost of what it made and asked, and its
    cluster CPU by part of the node, split the same way."""
    workers, made, per = data["workers"], data["run_made"], data["per_object_s"]
    above_idle = data["curve"][workers]["cluster_cpu_above_idle_s"]
    lines = ["", "- Kubernetes on this cluster, above idle: " + ", ".join(
                 f"{PER_OBJECT[name]} {seconds} s" for name, seconds in per.items()),
             f"- the -n {workers} run made {made['pods']:g} Pods, {made['containers']:g} containers,"
             f" {made['namespaces']:g} namespaces, and asked {made['execs']:g} execs, {made['log reads']:g} log"
             f" reads, {made['port-forwards']:g} port-forwards: of its {above_idle} cluster CPU-s above idle,"
             f" Kubernetes' own cost of the objects is {data['kubernetes_floor_s']} s, of the execs and log reads"
             f" {data['requests_s']} s"]
    lines.append(f"- the -n {workers} run's wall, from its journal: " + ", ".join(
        f"{phase} {seconds} s" for phase, seconds in data["run_timeline_s"].items()))
    replayed = data["replay"]
    lines.append(f"- the same run replayed from its journal (bench.replay: its namespaces, objects, ConfigMap edits"
                 f" and deletions at the same moments, nobody looking) cost {replayed['cluster_cpu_above_idle_s']}"
                 f" cluster CPU-s above idle in {replayed['wall_s']} s: Kubernetes' own price of the scenarios as"
                 f" they ran; the run's looking (execs, log reads, port-forwards, watches, reads) cost the other"
                 f" {round(above_idle - replayed['cluster_cpu_above_idle_s'], 1)} s")
    split = data.get("cluster_cpu_split_s")
    if split is None:
        return [*lines, "- where in the node: not measured (cgroup v2 node)"]
    columns = ("run", "idle", "objects", "requests", "rest", "replay", "looking")
    rows = sorted(split.items(), key=lambda kv: -kv[1]["run"])
    sums = {column: round(sum(row[column] for _, row in rows), 1) for column in columns}
    return [*lines, "", f"| the -n {workers} run's cluster CPU-s, by part of the node | run (idle included) | idle"
                        " meanwhile | Kubernetes' own: objects made | execs and log reads | rest | replay, nobody"
                        " looking | looking (run - idle - replay) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *(f"| {part} | " + " | ".join(str(row[column]) for column in columns) + " |" for part, row in rows),
            "| all | " + " | ".join(str(sums[column]) for column in columns) + " |"]


def table(data: dict, judged: list[Goal]) -> list[str]:
    """The Markdown people read."""
    create = data["cluster_create_s"]
    idle = data["idle_cpu_per_s"]
    lines = ["# Bench", "", f"- idle cluster: {idle['before']} CPU-s per s after creation, {idle['after']} after the"
             f" runs; {idle['subtracted']} subtracted",
             f"- cluster creation: ours {create['ours']} s, bare `kind create cluster --wait` "
             f"{create['bare_kind_create_wait']} s", f"- make e2e, warm: {data['e2e_warm_wall_s']} s",
             f"- per run (-n {data['workers']}): {json.dumps(data['run_totals'])}", "",
             "| workers | suite wall s | cluster CPU above idle s | harness CPU s |", "|---:|---:|---:|---:|"]
    lines += [f"| {n} | {run['wall_s']} | {run['cluster_cpu_above_idle_s']} | {run['harness_cpu_s']} |"
              for n, run in data["curve"].items()]
    lines += where_it_went(data)
    if data["tests"]:
        lines += ["", "| test (-n 0) | wall s | Kubernetes waits s | cluster CPU above idle s | harness CPU s "
                      "| Pods | execs | port-forwards |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {t['name']} | {t['seconds']} | {t['inherent_s']} | {t['cluster_cpu_above_idle_s']} "
                  f"| {t['harness_cpu_s']} | " + " | ".join(str(t['counts'][w]) for w in COUNTS) + " |"
                  for t in data["tests"]]
    return [*lines, "", *(f"- {g.line()}" for g in judged)]
