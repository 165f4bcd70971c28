"""The two containers of an in-cluster run's Pod (tools/conformance/in-cluster.yaml):

- `runner`: the suites against the cluster the Pod runs in, with the Pod's ServiceAccount,
  reaching Pods at their IPs; its results go to the shared results folder.
- `results`: a native sidecar holding that folder: when the runner has exited, the kubelet
  stops it, and it waits (up to its Pod's grace period) until the operator's command has
  fetched the results and says so with the FETCHED mark.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import yaml

ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")
FETCHED = ".fetched"  # written into the results folder by the operator's command once it has them
HOLD_POLL = 1.0


def in_cluster_kubeconfig(path: Path, environ: dict[str, str] = os.environ, account: Path = ACCOUNT) -> Path:
    """Write a kubeconfig for the API server of the Pod's cluster, with the Pod's ServiceAccount
    token (read from its file on each use: the kubelet renews it); return its path."""
    host, port = environ.get("KUBERNETES_SERVICE_HOST"), environ.get("KUBERNETES_SERVICE_PORT")
    if not host or not port:
        raise RuntimeError("not in a Pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
    server = f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "in-cluster",
        "clusters": [{"name": "in-cluster", "cluster": {"server": server,
                                                        "certificate-authority": str(account / "ca.crt")}}],
        "users": [{"name": "pod", "user": {"tokenFile": str(account / "token")}}],
        "contexts": [{"name": "in-cluster", "context": {"cluster": "in-cluster", "user": "pod"}}],
    }
    path.write_text(yaml.safe_dump(config))
    return path


def hold(results: Path, limit: float) -> int:
    """Run until SIGTERM (the runner exited, or the Pod is deleted); then wait until the results
    were fetched (FETCHED), at most `limit` seconds. 0 when fetched, 1 when not."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    print(f"holding {results} until the runner has exited and its results are fetched", flush=True)
    while not stopping.wait(timeout=60):
        pass  # the Pod's life: ends with its SIGTERM
    deadline = time.monotonic() + limit
    while not (results / FETCHED).exists():
        if time.monotonic() > deadline:
            print(f"results in {results} not fetched within {limit:g}s: given up", flush=True)
            return 1
        time.sleep(HOLD_POLL)
    print(f"results in {results} fetched", flush=True)
    return 0
