"""A kind cluster made in the background while xdist starts its workers.

Creating a kind cluster takes ~30 s; starting 10 workers (imports, collection) several
seconds of both cores. The controller makes the cluster (and checks it) in a thread, waits
for it before it hands out the first test, and then writes the session to a file that each
worker reads before its first test. Every step in the thread has its own bounded timeout;
waiting for the thread has one too (OPENING_TIMEOUT, above their sum).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from helpers.kube.cluster import ClusterTarget
from helpers.kube.nativegate import NativeSupport
from helpers.session.preflight import SessionError

# kind create 600 s + image load 300 s + Ready nodes 210 s + preflight and the native-sidecar probe
OPENING_TIMEOUT = 1500


class Opening:
    """`work` run in its own thread; wait() returns when it is done, raising what it raised."""

    def __init__(self, work: Callable[[], None]):
        self._error: BaseException | None = None
        # an Event, not Thread.join: after a join that SIGTERM or Ctrl-C interrupted, a second join
        # returned at once while the thread still ran (measured, Python 3.11)
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(work,), name="cluster-session", daemon=True).start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # handed to the waiting thread, which reports it
            self._error = exc
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float = OPENING_TIMEOUT) -> None:
        """Until the work is done (raising what it raised); SessionError after `timeout` seconds."""
        if not self._done.wait(timeout):
            raise SessionError(f"the cluster session was not open within {timeout:g}s")
        if self._error is not None:
            raise self._error


def write_handoff(path: Path, target: ClusterTarget, native: NativeSupport) -> None:
    """Write what a worker needs of the session, whole or not at all."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"target": target.to_dict(), "native": native.to_dict()}))
    partial.replace(path)


def read_handoff(path: Path) -> tuple[ClusterTarget, NativeSupport]:
    """The session a controller wrote with write_handoff."""
    data = json.loads(path.read_text())
    return ClusterTarget.from_dict(data["target"]), NativeSupport.from_dict(data["native"])
