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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Forward:
    """A running `kubectl port-forward`: its local URL, and whether it has ended."""

    url: str
    process: subprocess.Popen
    output: list[str]
    transport = None  # httpx's own: the forward listens on a local port

    def ended(self) -> str | None:
        """Why the forward no longer works (kubectl exited, as it does when the Pod's port
        refuses a connection), or None while it runs."""
        if self.process.poll() is None:
            return None
        return f"kubectl port-forward exited {self.process.returncode}: {' | '.join(self.output[-3:])}"


@contextmanager
def port_forward(target: ClusterTarget, namespace: str, pod: str, port: int, context: Callable[[], str]):
    """Run `kubectl port-forward` for the block; yields a Forward to `http://127.0.0.1:<local port>`.

    `context` describes the Pod for failure messages.
    """
    command = [target.kubectl, *target.kubectl_flags(), "--namespace", namespace,
               "port-forward", "--address", "127.0.0.1", f"pod/{pod}", f":{port}"]
    observers.tell(observers.PORT_FORWARD, namespace, pod=pod, port=port)
    process = children.popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=_die_with_parent)
    output: list[str] = []
    for pipe in (process.stdout, process.stderr):
        threading.Thread(target=_drain, args=(pipe, output), daemon=True).start()
    try:
        wait_until(
            f"kubectl port-forward to {namespace}/{pod}:{port} to listen",
            lambda: (forwarded_port(output), process.poll()),
            lambda seen: seen[0] is not None or seen[1] is not None,
            PORT_FORWARD,
            context,
            show=lambda _: " | ".join(output) or "(no output)",
        )
        local = forwarded_port(output)
        if local is None:
            raise AssertionError(f"kubectl port-forward exited {process.returncode}: {' | '.join(output)}\n"
                                 f"{context()}")
        yield Forward(f"http://127.0.0.1:{local}", process, output)
    finally:
        children.stop(process, grace=PORT_FORWARD_STOP)
