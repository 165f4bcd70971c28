"""`kubectl port-forward` to a Pod on a free local port, for HTTP through httpx."""
from __future__ import annotations

import ctypes
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager

from helpers.kube import children, observers
from helpers.kube.cluster import ClusterTarget
from helpers.kube.timeouts import PORT_FORWARD, PORT_FORWARD_STOP
from helpers.kube.waits import wait_until

PR_SET_PDEATHSIG = 1
# looked up here, not in the forked child: a lookup there may wait for a loader lock another thread held at the fork
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+) -> \d+")


def forwarded_port(output: list[str]) -> int | None:
    """The local port kubectl announced, if it did."""
    for line in output:
        match = FORWARDING.search(line)
        if match:
            return int(match.group(1))
    return None


def _die_with_parent() -> None:
    """In the child: SIGTERM it when the thread that started it ends, even by SIGKILL of the test
    process (Linux prctl); the forward lives within one thread's `with` block."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


def _drain(pipe, into: list[str]) -> None:
    for line in pipe:
        into.append(line.rstrip("\n"))


class Forward:
    """A running `kubectl port-forward` on one local port: its URL, whether it has ended, and
    a way to start it again on the same port (the URL stays)."""

    transport = None  # httpx's own: the forward listens on a local port

    def __init__(self, command: list[str], namespace: str, pod: str, port: int, context: Callable[[], str]):
        self._command, self._namespace, self._pod, self._port = command, namespace, pod, port
        self._context = context
        self._local = self._start(0)
        self.url = f"http://127.0.0.1:{self._local}"

    def _start(self, local: int) -> int:
        """Start kubectl forwarding local port `local` (0: one it picks) and wait until it
        listens; the local port."""
        observers.tell(observers.PORT_FORWARD, self._namespace, pod=self._pod, port=self._port)
        self.output = output = []
        self.process = process = children.popen(
            [*self._command, f"{local or ''}:{self._port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, preexec_fn=_die_with_parent)
        for pipe in (process.stdout, process.stderr):
            threading.Thread(target=_drain, args=(pipe, output), daemon=True).start()
        try:
            wait_until(
                f"kubectl port-forward to {self._namespace}/{self._pod}:{self._port} to listen",
                lambda: (forwarded_port(output), process.poll()),
                lambda seen: seen[0] is not None or seen[1] is not None,
                PORT_FORWARD,
                self._context,
                show=lambda _: " | ".join(output) or "(no output)",
            )
            listening = forwarded_port(output)
            if listening is None:
                raise AssertionError(f"kubectl port-forward exited {process.returncode}: {' | '.join(output)}\n"
                                     f"{self._context()}")
        except BaseException:
            self.stop()
            raise
        return listening

    def ended(self) -> str | None:
        """Why the forward no longer works (kubectl exited, as it does when the Pod's port
        refuses a connection), or None while it runs."""
        if self.process.poll() is None:
            return None
        return f"kubectl port-forward exited {self.process.returncode}: {' | '.join(self.output[-3:])}"

    def reopen(self) -> None:
        """Start kubectl again on the same local port, once it ended."""
        self.stop()
        self._start(self._local)

    def stop(self) -> None:
        """End kubectl (if it still runs) and reap it."""
        children.stop(self.process, grace=PORT_FORWARD_STOP)


@contextmanager
def port_forward(target: ClusterTarget, namespace: str, pod: str, port: int, context: Callable[[], str]):
    """Run `kubectl port-forward` for the block; yields a Forward to `http://127.0.0.1:<local port>`.

    `context` describes the Pod for failure messages.
    """
    command = [target.kubectl, *target.kubectl_flags(), "--namespace", namespace,
               "port-forward", "--address", "127.0.0.1", f"pod/{pod}"]
    forward = Forward(command, namespace, pod, port, context)
    try:
        yield forward
    finally:
        forward.stop()
