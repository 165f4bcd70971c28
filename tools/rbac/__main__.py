"""python -m tools.rbac --kubeconfig ADMIN [--kubectl KUBECTL] -- PYTEST_ARGS

With the admin kubeconfig: apply tools/rbac/sidecar-conformance.yaml, mint a token for its
ServiceAccount, write a kubeconfig holding only that token, run `pytest suites` with it,
then delete everything the YAML created.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from helpers.kube import children

RBAC = Path(__file__).resolve().parent / "sidecar-conformance.yaml"
ACCOUNT, ACCOUNT_NAMESPACE = "sidecar-conformance", "sidecar-conformance"
TOKEN_DURATION = "2h"
KUBECTL_TIMEOUT = 120
RUN_TIMEOUT = 3600  # the suites as the limited identity (its token lasts TOKEN_DURATION)


def kubectl(tool: str, admin: str, *args: str) -> str:
    """Stdout of one kubectl command as the admin; SystemExit with its error when it fails."""
    done = children.run([tool, "--kubeconfig", admin, *args], capture_output=True, text=True, timeout=KUBECTL_TIMEOUT)
    if done.returncode != 0:
        sys.exit(f"least-privilege: kubectl {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def token_kubeconfig(admin_view: dict, token: str) -> dict:
    """A kubeconfig for the admin's current cluster whose only credential is `token`."""
    cluster = admin_view["clusters"][0]
    return {"apiVersion": "v1", "kind": "Config", "current-context": ACCOUNT,
            "clusters": [cluster],
            "users": [{"name": ACCOUNT, "user": {"token": token}}],
            "contexts": [{"name": ACCOUNT, "context": {"cluster": cluster["name"], "user": ACCOUNT}}]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.rbac", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kubeconfig", required=True, help="an admin kubeconfig (applies the RBAC)")
    parser.add_argument("--kubectl", default=shutil.which("kubectl"), help="kubectl to use")
    parser.add_argument("pytest_args", nargs="*", help="after --: options for pytest suites")
    args = parser.parse_args(argv)
    tool, admin = args.kubectl, args.kubeconfig
    kubectl(tool, admin, "apply", "-f", str(RBAC))
    try:
        token = kubectl(tool, admin, "create", "token", ACCOUNT, "-n", ACCOUNT_NAMESPACE,
                        "--duration", TOKEN_DURATION).strip()
        view = json.loads(kubectl(tool, admin, "config", "view", "--raw", "--minify", "-o", "json"))
        with tempfile.TemporaryDirectory() as scratch:
            limited = Path(scratch) / "kubeconfig"
            limited.write_text(yaml.safe_dump(token_kubeconfig(view, token)))
            print(f"least-privilege: pytest suites as serviceaccount {ACCOUNT_NAMESPACE}/{ACCOUNT}"
                  f" (ClusterRole {ACCOUNT} only) {' '.join(args.pytest_args)}", flush=True)
            try:
                return children.run([sys.executable, "-m", "pytest", "suites", "--kubeconfig", str(limited),
                                     "--kubectl", tool, *args.pytest_args], timeout=RUN_TIMEOUT).returncode
            except subprocess.TimeoutExpired:
                sys.exit(f"least-privilege: the suites did not finish within {RUN_TIMEOUT}s")
    finally:
        kubectl(tool, admin, "delete", "-f", str(RBAC), "--ignore-not-found", "--wait=true")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
