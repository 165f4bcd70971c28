"""The generic timeouts and tolerances of the suite, each with a name: those of talking to a
cluster, of the run's session and of its evidence. A scenario's own live beside its checks, in
helpers/checks/<behaviour>.py.

`--timeout-scale` (set_scale) multiplies every Timeout, wherever it is defined, as the e2e
framework's TimeoutContext does for slow clusters; tolerances of measured times are not scaled.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

_scale = 1.0


def set_scale(factor: float) -> None:
    """Multiply every Timeout's seconds by `factor` (> 0) from now on, in this process."""
    global _scale
    if not factor > 0:
        raise ValueError(f"--timeout-scale {factor}: must be greater than 0")
    _scale = factor


@dataclass(frozen=True)
class Timeout:
    """How long to wait for something (base_seconds x the run's scale), and how often to look."""

    name: str
    base_seconds: float
    poll: float = 1.0

    @property
    def seconds(self) -> float:
        return self.base_seconds * _scale


# Pods and containers
POD_READY = Timeout("pod ready (images present, every container running)", 180)
SERVICE_ACCOUNT = Timeout("namespace's default ServiceAccount created", 30, poll=0.2)
WATCH_IDLE = 5.0  # a Pod watch with no change for this long is reopened (bounds a wait's overshoot)
CONTAINER_TERMINATED = Timeout("container terminated", 60)
EXEC = Timeout("exec in a container", 30)
IN_POD_POLL = 0.2  # seconds between the looks of a wait run by a container's own shell (Pod.wait_file_contains)
IN_POD_MARGIN = 10.0  # for the exec of such a wait, beyond the wait's own timeout
POD_DELETION_MARGIN = 60.0  # beyond the grace period, for the kubelet and API to finish
KILLING_EVENT = Timeout("the kubelet's Killing event of a deleted Pod recorded", 10, poll=0.5)
LOG_STREAM_END = Timeout("container log stream ended", 30, poll=0.2)

# HTTP through a port-forward
PORT_FORWARD = Timeout("kubectl port-forward listening", 30, poll=0.2)
PORT_FORWARD_STOP = 5.0  # for kubectl to exit after SIGTERM, before SIGKILL
HTTP_SERVING = Timeout("app answering through the port-forward", 60, poll=0.5)
HTTP_REQUEST = 10.0  # one request

# Config reload: the kubelet refreshes ConfigMap volumes on its pod sync, every
# syncFrequency plus up to 50 % jitter; then the watcher polls and nginx reloads.
DEFAULT_SYNC_FREQUENCY = 60.0  # KubeletConfiguration default
SYNC_JITTER = 0.5
RELOAD_SLACK = 30.0
RELOAD_POLL = 0.5

# Shared by several behaviours' checks
GRACE_TOLERANCE = 2.0  # status times have 1 s resolution; kubelet reaction time

# A kubelet restart (kube.kubelet): `systemctl restart kubelet` takes a few
# seconds on a kind node; the new kubelet then syncs its Pods and reports the restarter done.
KUBELET_RESTARTED = Timeout("the kubelet restarted and reporting its Pods again", 90)
# A test that restarts a kubelet waits until the run's other tests give the nodes back
# (helpers/session/turns.py): at most the longest test's length; the others wait for it as long.
NODE_TURN = Timeout("the run's other tests giving the nodes back, or a kubelet restart done", 600, poll=0.1)

# The sidecar's probe runs every second; the kubelet then sets Ready, the EndpointSlice controller follows.
# Measured: 1.0-1.6 s.
LET_IN = Timeout("Pod Ready and its endpoint ready once its sidecar's probe passes (probe period 1 s)", 10, poll=0.5)

# Ordering: a gate the test holds shut (a startupProbe that cannot pass); probes run every
# second, so the kubelet says no this many times before the test opens it.
GATE_HELD = Timeout("gate held shut: nothing behind it starts", 8, poll=0.5)

# Session
NAMESPACE_SWEEP = Timeout("this run's namespaces gone", 300, poll=0.5)
BAD_INPUT_EXIT = 15.0  # a run given bad input ends within this, with one line
FIRST_FAILURE = 30.0  # a run on a broken cluster (a Pod that cannot start) names the cause within this
MAX_RUN_AGE = 6 * 3600.0  # a run started on another host this long ago is dead (no run takes an hour)
API_REACHABLE = 15.0  # first contact with an existing cluster
DOCKER_QUERY = 60.0  # `docker ps` looking for kind nodes
TOOL_QUERY = 15.0  # preflight: `kubectl version --client`, `kind version`, `docker version`

# Evidence after a test (each bounded, so a broken cluster cannot hang the report)
KUBECTL_DESCRIBE = 30.0  # `kubectl describe pods` of a test namespace
NODE_LOG_QUERY = 30.0  # `docker exec <kind node> journalctl ...`


def pod_deletion(grace_seconds: float) -> Timeout:
    """Time for a Pod with this grace period to disappear after a delete."""
    return Timeout(f"pod deleted (grace {grace_seconds:g}s)", grace_seconds + POD_DELETION_MARGIN, poll=0.5)


def config_reload(sync_frequency: float, source: str) -> Timeout:
    """Bound for a ConfigMap edit to be served, from the kubelet's syncFrequency.

    `source` says where `sync_frequency` came from, for the failure message.
    """
    seconds = math.ceil(sync_frequency * (1 + SYNC_JITTER) + RELOAD_SLACK)
    return Timeout(
        f"ConfigMap edit served (syncFrequency {sync_frequency:g}s from {source}"
        f" x{1 + SYNC_JITTER:g} + {RELOAD_SLACK:g}s)",
        seconds,
        poll=RELOAD_POLL,
    )
