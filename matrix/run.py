"""One Kubernetes version built offline and run here: build, cluster, smoke check, suites,
controls, cluster deleted. Writes reports/matrix/<version>/: result.json, summary.json and
suites-junit.xml (the suites), controls-junit.xml, and each step's log."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from clusterbuild.binaries import kubernetes_build_record
from clusterbuild.paths import CACHE_ROOT
from pins import OVERRIDE_PREFIX, REPO_ROOT

CLUSTER = "sc-matrix"
MATRIX_REPORTS = REPO_ROOT / "reports" / "matrix"
TIMEOUTS = {"build": 3600, "cluster": 600, "smoke check": 300, "suites": 1800, "controls": 1800, "delete": 300}


@dataclass
class Step:
    """How one step of a version's run ended."""

    name: str
    exit: int
    seconds: float
    error: str  # the step's own one-line ERROR, if it printed one


def _step(name: str, cmd: list[str], env: dict[str, str], log: Path) -> Step:
    """Run cmd, its output both shown and kept in `log`; killed at TIMEOUTS[name] (exit 124)."""
    print(f"[matrix] {name}: {' '.join(cmd[2:])}", flush=True)
    started = time.monotonic()
    with open(log, "w") as kept:
        process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, start_new_session=True)
        timer = threading.Timer(TIMEOUTS[name], os.killpg, (process.pid, signal.SIGKILL))
        timer.start()
        error = ""
        for line in process.stdout:
            sys.stdout.write(line)
            kept.write(line)
            if line.startswith("ERROR: ") and not error:
                error = line[len("ERROR: "):].strip()
        code = process.wait()
        timer.cancel()
    if code == -signal.SIGKILL:
        code, error = 124, f"{name} did not finish within {TIMEOUTS[name]}s"
    step = Step(name, code, round(time.monotonic() - started, 1), error)
    print(f"[matrix] {name}: exit {code} in {step.seconds:.0f}s", flush=True)
    return step


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
        ("build", [python, "-m", "clusterbuild", "prepare"]),
        ("cluster", [python, "-m", "clusterbuild", "cluster", "--name", CLUSTER, "--kubeconfig", str(kubeconfig)]),
        ("smoke check", [python, "-m", "clusterbuild", "check", *target]),
        ("suites", [python, "-m", "pytest", "suites", "-n", "4", *target, "--reports-dir", str(relative),
                    "--junitxml", str(out / "suites-junit.xml")]),
        ("controls", [python, "-m", "pytest", "controls", "-n", "4", *target, "--reports-dir",
                      str(relative / "controls"), "--junitxml", str(out / "controls-junit.xml")]),
    ]
    steps: list[Step] = []
    try:
        for name, cmd in plan:
            steps.append(_step(name, cmd, env, out / f"{name.replace(' ', '-')}.log"))
            if steps[-1].exit != 0 and name in ("build", "cluster"):
                break  # nothing to test
    finally:
        steps.append(_step("delete", [python, "-m", "clusterbuild", "delete", "--name", CLUSTER], env,
                           out / "delete.log"))
    record = kubernetes_build_record(version)
    result = {"version": version, "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "go_build": json.loads(record.read_text()) if record.is_file() else None,
              "steps": [asdict(step) for step in steps]}
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
