"""The end of a run: SIGTERM ends it like Ctrl-C, and its namespaces are deleted and awaited."""
from __future__ import annotations

import secrets
import signal
from datetime import UTC, datetime

from kubernetes import client

from kube.cluster import ClusterTarget, api_client
from kube.namespace import RUN_LABEL, delete_namespace
from kube.timeouts import NAMESPACE_SWEEP
from kube.waits import wait_until


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
    """Delete every namespace labelled with this run and wait until they are gone."""
    with api_client(target) as api:
        core = client.CoreV1Api(api)
        selector = f"{RUN_LABEL}={target.run_id}"

        swept: set[str] = set()

        def remaining() -> list[str]:
            """This run's namespaces; deletes those not deleting yet (a worker may add one late)."""
            found = core.list_namespace(label_selector=selector).items
            swept.update(ns.metadata.name for ns in found)
            for ns in found:
                if ns.metadata.deletion_timestamp is None:
                    delete_namespace(core, ns.metadata.name)
            return [ns.metadata.name for ns in found]

        wait_until(f"namespaces labelled {selector} to be gone", remaining, lambda names: not names,
                   NAMESPACE_SWEEP)
        return sorted(swept)
