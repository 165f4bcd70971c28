"""Every timeout and tolerance of the suite, each with a name, in this one place."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Timeout:
    """How long to wait for something, and how often to look."""

    name: str
    seconds: float
    poll: float = 1.0


# Pods and containers
POD_READY = Timeout("pod ready (images present, every container running)", 180)
CONTAINER_TERMINATED = Timeout("container terminated", 60)
EXEC = Timeout("exec in a container", 30)
POD_DELETION_MARGIN = 60.0  # beyond the grace period, for the kubelet and API to finish

# Data moving between containers
APP_OUTPUT = Timeout("app printed its startup lines", 30, poll=0.5)
LOG_SHIPPED = Timeout("sidecar shipped every line", 60, poll=0.5)
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

# Shutdown
GRACE_TOLERANCE = 2.0  # status times have 1 s resolution; kubelet reaction time

# Jobs
JOB_POD = Timeout("job's pod created", 60)
JOB_COMPLETE = Timeout("job complete", 120)
CLASSIC_JOB_HOLD = Timeout("job with a classic sidecar stays incomplete", 10)

# Session
NAMESPACE_SWEEP = Timeout("this run's namespaces gone", 300, poll=2)
API_REACHABLE = 15.0  # first contact with an existing cluster
DOCKER_QUERY = 60.0  # `docker ps` looking for kind nodes


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
