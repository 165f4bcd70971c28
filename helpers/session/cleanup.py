"""The end of a run: SIGTERM ends it like Ctrl-C, and its namespaces are deleted and awaited."""
from __future__ import annotations

import secrets
import signal
from datetime import UTC, datetime

from kubernetes import client

from helpers.kube.cluster import ClusterTarget, api_client
from helpers.kube.namespace import RUN_LABEL, sweep


def new_run_id() -> str:
    """A label-safe id, unique per run: UTC time and a random suffix."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def interrupt_on_sigterm() -> None:
    """Make SIGTERM end the run like Ctrl-C does: tests stop, then this run's namespaces
    are swept (pytest_sessionfinish) and a kind cluster it made is deleted."""
    signal.signal(signal.SIGTERM, _interrupt)


def sweep_namespaces(target: ClusterTarget) -> list[str]:
    """Delete every namespace labelled with this run (a worker may add one late) and wait until
    they are gone."""
    with api_client(target) as api:
        return sweep(client.CoreV1Api(api), f"{RUN_LABEL}={target.run_id}")
