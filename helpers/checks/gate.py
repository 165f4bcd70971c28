"""A gate the test holds: a probe in the Pod passes only once the test opens it.

Ordering checks must not depend on how fast containers start. The Pod's probe looks for a
file that nothing in the Pod makes; the test watches the Pod for a while with the gate
shut (nothing behind the gate may start), then opens it with an exec that writes the
node's uptime into the file (the in-Pod clock the containers' `event` lines use), so a
check can also prove that what the gate held started after that moment.
"""
from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

from kubernetes import client

from helpers.kube.pods import has_started, status_in
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import HoldBroken, holds_for


@dataclass(frozen=True)
class HeldGate:
    """What happened while the gate was shut, and when (node uptime) it was opened."""

    held: Timeout
    while_shut: str | None  # what started while the gate was shut (None: nothing)
    opened_at: float

    def __str__(self) -> str:
        shut = f"while shut: {self.while_shut}" if self.while_shut else "nothing started while shut"
        return f"gate held shut {self.held.seconds:g}s ({shut}), opened @{self.opened_at:.2f}"


def container_started(container: str) -> Callable[[client.V1Pod], str | None]:
    """What got past a gate: `container` with its state once the kubelet started it, else None."""
    def started(pod: client.V1Pod) -> str | None:
        return f"{container} started: {status_in(pod, container).state.to_dict()}" if has_started(pod, container) else None

    return started


def hold_shut(pods: list, started: Callable[[client.V1Pod], str | None], held: Timeout) -> str | None:
    """Watch the Pods for `held` while their gates are shut; `started(pod)` names what got past
    a gate (None while nothing did). Returns the first such thing seen, else None."""
    def past(states: list[client.V1Pod]) -> str | None:
        return "; ".join(f"{state.metadata.name}: {what}" for state in states if (what := started(state))) or None

    try:
        holds_for(f"{', '.join(map(str, pods))}: nothing past the shut gate", lambda: [pod.read() for pod in pods],
                  lambda states: past(states) is None, held, show=lambda states: past(states) or "nothing")
    except HoldBroken as broken:
        return broken.seen
    return None


def open_gate(pod, container: str, path: str) -> float:
    """Write the node's uptime into `path` in `container` (atomically); return that uptime."""
    quoted = shlex.quote(path)
    script = f"cut -d' ' -f1 /proc/uptime > {quoted}.tmp && mv {quoted}.tmp {quoted} && cat {quoted}"
    return float(pod.exec(container, ["sh", "-c", script]).stdout.split()[0])


def held_gates(pods: list, container: str, path: str, started: Callable[[client.V1Pod], str | None],
               held: Timeout) -> list[HeldGate]:
    """Hold the gates of the Pods shut for `held` (recording what got past them), then open each."""
    while_shut = hold_shut(pods, started, held)
    return [HeldGate(held, while_shut, open_gate(pod, container, path)) for pod in pods]
