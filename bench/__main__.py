"""python -m bench: time a cold `make e2e` by phase, the suite alone (-n 0 and -n auto), and a
bare `kind create cluster` with the same node image; write reports/bench.json and a table.

Run on a quiet machine: everything here is wall time.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from pins import REPO_ROOT
from clusterbuild.provision import prepare_kind
from reporting.junitstats import percentile, spread

from .results import Goal, TestTime, read_junit

REPORTS = REPO_ROOT / "reports"
BENCH_CLUSTER = "sidecar-bench"
BASELINE_CLUSTER = "sidecar-bench-baseline"
STATE = REPO_ROOT / ".cluster" / "bench"
PHASE_TIMEOUT = 3600


def timed(name: str, cmd: list[str]) -> float:
    """Run cmd (output to the terminal); return its wall time; stop the bench if it fails."""
    print(f"\n=== bench: {name}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    code = subprocess.run(cmd, cwd=REPO_ROOT, timeout=PHASE_TIMEOUT).returncode
    seconds = time.monotonic() - started
    print(f"=== bench: {name}: {seconds:.1f}s (exit {code})", flush=True)
    if code != 0:
        sys.exit(f"bench: phase {name!r} failed (exit {code}); nothing written")
    return seconds


def python(*args: str) -> list[str]:
    """A command line running this Python."""
    return [sys.executable, *args]


def suite(kubeconfig: Path, kubectl: Path, workers: str, junit: Path) -> list[str]:
    """The suite against an existing cluster, with a JUnit file to read times and delays from."""
    return python("-m", "pytest", "suites", "-q", "-n", workers, "--kubeconfig", str(kubeconfig),
                  "--kubectl", str(kubectl), f"--junitxml={junit}",
                  "--reports-dir", str((STATE / f"reports-n{workers}").relative_to(REPO_ROOT)))


def main() -> None:
    """Run every phase in order, then write reports/bench.json and reports/bench.md."""
    STATE.mkdir(parents=True, exist_ok=True)
    REPORTS.mkdir(exist_ok=True)
    kubeconfig = STATE / "kubeconfig"
    started = time.monotonic()
    recipe = prepare_kind()
    phases = {"prepare (build cache hit)": time.monotonic() - started}
    # The baseline: kind alone, same image and the same host config (a bare `kind create` can
    # not start a control plane on a host that needs the config's workarounds), nothing else.
    kind = str(recipe.kind_bin)
    baseline_create = timed("bare kind create", [kind, "create", "cluster", "--name", BASELINE_CLUSTER, "--image",
                                                 recipe.node_image, "--config", str(recipe.config_file),
                                                 "--kubeconfig", str(STATE / "baseline-kubeconfig")])
    timed("bare kind delete", [kind, "delete", "cluster", "--name", BASELINE_CLUSTER])
    phases["cluster"] = timed("cluster", python("-m", "clusterbuild", "cluster", "--name", BENCH_CLUSTER,
                                                "--kubeconfig", str(kubeconfig)))
    runs = {}
    for label, workers in (("-n auto", "auto"), ("-n 0", "0")):
        junit = STATE / f"junit-{workers}.xml"
        runs[label] = {"wall": timed(f"suite {label}", suite(kubeconfig, recipe.kubectl_bin, workers, junit)), "tests": read_junit(junit)}
    phases["suite"] = runs["-n auto"]["wall"]
    phases["delete"] = timed("delete", python("-m", "clusterbuild", "delete", "--name", BENCH_CLUSTER))
    write(phases, runs, baseline_create)


def write(phases: dict[str, float], runs: dict, baseline_create: float) -> None:
    """Judge the goals and write the JSON and the table."""
    tests: list[TestTime] = runs["-n auto"]["tests"]
    serial = {t.name: t for t in runs["-n 0"]["tests"]}
    longest = max(t.seconds for t in serial.values())
    reloads = [v for t in tests + list(serial.values()) for k, v in t.delays.items() if k.startswith("ConfigMap edit")]
    cold = phases["cluster"] + phases["suite"] + phases["delete"]
    goals = [
        Goal("suite -n auto vs 1.5 x longest single test", runs["-n auto"]["wall"], 1.5 * longest),
        Goal("cluster step vs 1.1 x bare kind create", phases["cluster"], 1.1 * baseline_create),
        Goal("reload propagation p95", percentile(reloads, 0.95) if reloads else float("nan"), 15.0),
        Goal("cold make e2e (images cached)", cold, 240.0),
    ]
    result = {
        "phases_seconds": {k: round(v, 1) for k, v in phases.items()},
        "cold_e2e_seconds": round(cold, 1),
        "bare_kind_create_seconds": round(baseline_create, 1),
        "suite_wall_seconds": {label: round(run["wall"], 1) for label, run in runs.items()},
        "tests": [{"test": name, "serial_seconds": round(t.seconds, 1), "inherent_seconds": round(t.inherent, 1),
                   "overhead_seconds": round(t.seconds - t.inherent, 1), "outcome": t.outcome, "delays": t.delays}
                  for name, t in sorted(serial.items())],
        "reload_propagation": spread(reloads) if reloads else None,
        "goals": [{"goal": g.name, "measured": round(g.measured, 1), "target": round(g.target, 1), "met": g.met}
                  for g in goals],
    }
    (REPORTS / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = table(result, goals)
    (REPORTS / "bench.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def table(result: dict, goals: list[Goal]) -> list[str]:
    """The short Markdown table people read."""
    lines = ["# Bench", "", "| phase | seconds |", "|---|---:|"]
    lines += [f"| {name} | {seconds} |" for name, seconds in result["phases_seconds"].items()]
    lines += [f"| bare `kind create cluster` (same image) | {result['bare_kind_create_seconds']} |",
              *(f"| suite {label} | {s} |" for label, s in result["suite_wall_seconds"].items()),
              "", "| test (-n 0) | wall s | inherent wait s | suite overhead s |", "|---|---:|---:|---:|"]
    lines += [f"| {t['test']} | {t['serial_seconds']} | {t['inherent_seconds']} | {t['overhead_seconds']} |"
              for t in result["tests"]]
    return [*lines, "", *(f"- {g.line()}" for g in goals)]

if __name__ == "__main__":
    main()
