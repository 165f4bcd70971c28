"""The end of a run: SIGTERM ends it like Ctrl-C, and its namespaces are deleted and awaited."""
from __future__ import annotations

import re
import secrets
import signal
from datetime import UTC, datetime

from kubernetes import client

from helpers.kube.cluster import ClusterTarget, api_client
from helpers.kube.namespace import RUN_LABEL, sweep
from helpers.session.preflight import SessionError

LABEL_VALUE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")


def new_run_id() -> str:
    """A label-safe id, unique per run: UTC time and a random suffix."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def given_run_id(text: str | None) -> str | None:
    """A run id given on the command line, if it is one a label can hold; SessionError if not."""
    if text is None:
        return None
    if not LABEL_VALUE.fullmatch(text):
        raise SessionError(f"--run-id {text!r}: not a label value (up to 63 of [A-Za-z0-9._-], alphanumeric at both ends)")
    return text


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
