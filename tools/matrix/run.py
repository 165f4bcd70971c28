"""One Kubernetes version built offline and run here: build, cluster, smoke check, suites,
controls, cluster deleted. Writes reports/matrix/<version>/: result.json, summary.json and
suites-junit.xml (the suites), controls-junit.xml and controls-alone-junit.xml (the controls
that bound a wall clock, run one at a time after the others), and each step's log."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

from clusters.binaries import kubernetes_build_record
from clusters.paths import CACHE_ROOT
from clusters.steps import ShownStep, run_shown
from helpers.pins import OVERRIDE_PREFIX, REPO_ROOT
from tools.matrix.table import CONTROLS_JUNIT

CLUSTER = "sc-matrix"
MATRIX_REPORTS = REPO_ROOT / "reports" / "matrix"
# the version's own throwaway cluster: the kubelet restart family runs too (--disruptive)
RUN_ARGS = ["-n", "10", "--disruptive"]
TIMEOUTS = {"build": 3600, "cluster": 600, "smoke check": 300, "suites": 1800, "controls": 1800, "controls alone": 600,
            "delete": 300}


def _step(name: str, cmd: list[str], env: dict[str, str], log: Path) -> ShownStep:
    """One step of a version's run, bounded by TIMEOUTS[name]."""
    return run_shown(name, cmd, env=env, timeout=TIMEOUTS[name], log=log, cwd=REPO_ROOT)


def run_version(version: str) -> dict:
    """Build and run `version`; its result (also written to reports/matrix/<version>/result.json)."""
    out = MATRIX_REPORTS / version
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**os.environ, f"{OVERRIDE_PREFIX}KUBERNETES_VERSION": version, f"{OVERRIDE_PREFIX}OFFLINE": "1"}
    python, kubeconfig = sys.executable, out / "kubeconfig"
    kubectl = CACHE_ROOT / f"kubernetes-{version}" / "bin" / "kubectl"
    target = ["--kubeconfig", str(kubeconfig), "--kubectl", str(kubectl)]
    relative = out.relative_to(REPO_ROOT)
    plan = [
        ("build", [python, "-m", "clusters", "prepare"]),
        ("cluster", [python, "-m", "clusters", "cluster", "--name", CLUSTER, "--kubeconfig", str(kubeconfig)]),
        ("smoke check", [python, "-m", "clusters", "check", *target]),
        ("suites", [python, "-m", "pytest", "suites", *RUN_ARGS, *target, "--reports-dir", str(relative),
                    "--junitxml", str(out / "suites-junit.xml")]),
        ("controls", [python, "-m", "pytest", "controls", *RUN_ARGS, "-m", "not alone", *target, "--reports-dir",
                      str(relative / "controls"), "--junitxml", str(out / CONTROLS_JUNIT[0])]),
        ("controls alone", [python, "-m", "pytest", "controls", "-m", "alone", *target, "--reports-dir",
                            str(relative / "controls-alone"), "--junitxml", str(out / CONTROLS_JUNIT[1])]),
    ]
    steps: list[ShownStep] = []
    try:
        for name, cmd in plan:
            steps.append(_step(name, cmd, env, out / f"{name.replace(' ', '-')}.log"))
            if steps[-1].exit != 0 and name in ("build", "cluster"):
                break  # nothing to test
    finally:
        steps.append(_step("delete", [python, "-m", "clusters", "delete", "--name", CLUSTER], env,
                           out / "delete.log"))
    record = kubernetes_build_record(version)
    result = {"version": version, "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "go_build": json.loads(record.read_text()) if record.is_file() else None,
              "steps": [asdict(step) for step in steps]}
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
