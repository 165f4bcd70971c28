"""Every timeout and tolerance of the suite, each with a name, in this one place.

`--timeout-scale` (set_scale) multiplies every Timeout, as the e2e framework's
TimeoutContext does for slow clusters; tolerances of measured times are not scaled.
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
# The kubelet learns of a deletion through its watch and starts stopping the Pod at once:
# measured 0.7-1.4 s under -n 10 on 2 cores (API server and kubelet clocks, 1 s resolution each).
KILLING_AFTER_DELETE = 5.0

# Data moving between containers
APP_OUTPUT = Timeout("app printed its startup lines", 30, poll=0.5)
APP_WROTE_LINES = Timeout("app wrote its last line", 60, poll=0.5)
# Measured propagation max (soak): under 1.5 s; `tail -F` checks its file once a second.
LOG_CAUGHT_UP = Timeout("sidecar shipped the app's last line after the app wrote it", 15, poll=0.5)
LOG_STREAM_END = Timeout("container log stream ended", 30, poll=0.2)

# HTTP through a port-forward
PORT_FORWARD = Timeout("kubectl port-forward listening", 30, poll=0.2)
PORT_FORWARD_STOP = 5.0  # for kubectl to exit after SIGTERM, before SIGKILL
HTTP_SERVING = Timeout("app answering through the port-forward", 60, poll=0.5)
# nginx is running and the app behind it already answers: a working proxy forwards at once.
PROXY_FORWARDING = Timeout("proxy forwarding to an app that already answers", 10, poll=0.5)
HTTP_REQUEST = 10.0  # one request
# one of the proxy's simultaneous requests: 50 at once through one kubectl port-forward on a
# machine busy with 10 workers saw 4 take longer than 10 s (make soak); the check is about
# every request answered 200, not how fast
CONCURRENT_REQUEST = 30.0

# Config reload: the kubelet refreshes ConfigMap volumes on its pod sync, every
# syncFrequency plus up to 50 % jitter; then the watcher polls and nginx reloads.
DEFAULT_SYNC_FREQUENCY = 60.0  # KubeletConfiguration default
SYNC_JITTER = 0.5
RELOAD_SLACK = 30.0
RELOAD_POLL = 0.5
# The volume shows the edit: the reloader (polling every second) signals nginx.
RELOAD_AFTER_SWAP = Timeout("nginx serving the edit once the volume shows it", 10, poll=0.5)

# Shutdown
GRACE_TOLERANCE = 2.0  # status times have 1 s resolution; kubelet reaction time
# In-Pod clock (sub-second): a container printing a line every 0.2 s stops when SIGKILLed; its
# last line may come this much before the kill (a loop stretched by load) ...
KILLED_LAST_LINE_EARLY = 1.0
# ... and the runtime's SIGKILL this much after its grace period ran out, from its SIGTERM.
KILLED_LATE = 1.0
# A SIGKILL may come this much after the grace period: the kubelet gives a container at
# least 2 s after its SIGTERM (minimumGracePeriodInSeconds; upstream's sidecar e2e tests
# allow "30 seconds + 2 second minimum grace"), plus GRACE_TOLERANCE.
KILL_LATENESS = 2.0 + GRACE_TOLERANCE
FLUSH_BOUND = 2.0  # a trapped sidecar ships its buffer and exits within this of its SIGTERM (in-Pod clock)

# The native sidecar lifecycle
# A container exited; the kubelet notices at its next relist (every second) and SIGTERMs the
# next sidecar in reverse order. Measured here under -n 10 on 2 cores: see the suite's delays.
NEXT_SIGTERM_AFTER_EXIT = 5.0
SIDECAR_RESTARTED = Timeout("sidecar restarted and the Pod Ready again", 45)
MAIN_RESTARTED = Timeout("main restarted and the Pod Ready again", 45)  # one restart: the first back-off is 10 s
# Three sidecars' preStop hooks (each waits 5 s at most for the others), then SIGTERM one by one.
PRESTOPS_COMPLETED = Timeout("pod ran to completion (main told to exit, three preStop hooks, grace period 15 s)", 30)
# The gate opened, the sidecar's startupProbe (every second) passes at its next run; main then starts.
MAIN_AFTER_GATE = Timeout("main started and the Pod Ready once the sidecar's startupProbe can pass", 20)
POD_COMPLETED = Timeout("pod ran to completion (main exits after 3 s, then its sidecars are stopped)", 20)
POD_GONE_MARGIN = 5.0  # after its containers are killed, for the kubelet and API server to remove a Pod
# A kubelet restart (lifecycle-kubelet-restart.yaml): `systemctl restart kubelet` takes a few
# seconds on a kind node; the new kubelet then syncs its Pods and reports the restarter done.
KUBELET_RESTARTED = Timeout("the kubelet restarted and reporting its Pods again", 90)
# A test that restarts a kubelet waits until the run's other tests give the nodes back
# (helpers/session/turns.py): at most the longest test's length; the others wait for it as long.
NODE_TURN = Timeout("the run's other tests giving the nodes back, or a kubelet restart done", 600, poll=0.1)

# Sidecar readiness and scheduling
# The app is ready and the sidecar is not: this long, the Pod must stay out (probes run every second).
KEPT_OUT = Timeout("Pod not Ready, no ready endpoint, while its sidecar is not ready", 3, poll=0.5)
# The sidecar's probe runs every second; the kubelet then sets Ready, the EndpointSlice controller follows.
# Measured: 1.0-1.6 s.
LET_IN = Timeout("Pod Ready and its endpoint ready once its sidecar's probe passes (probe period 1 s)", 10, poll=0.5)
# A new Service: DNS name served and kube-proxy's rules written.
SERVICE_ROUTING = Timeout("a request to the Service answered (its DNS name and kube-proxy rules in place)", 20)
# A new quota is counted by the quota controller at once (its first sync).
QUOTA_COUNTED = Timeout("ResourceQuota status counts the namespace's Pods", 20, poll=0.5)
# Each test asks for host ports of its own (checks.scheduling); one left held by an earlier
# run's Pod is waited for: the scheduler places a Pod as soon as it is freed.
HOST_PORT_FREE = Timeout("hostport-demo scheduled and Ready (its hostPort free on the node)", 120)
# The scheduler decides about a Pod within a scheduling cycle; a port held by another test's
# Pod is waited out.
CONTENDER_DECIDED = Timeout("the scheduler places the second Pod, or says only hostport-demo holds the port", 120,
                            poll=0.5)

# Ordering: a gate the test holds shut (a startupProbe that cannot pass); probes run every
# second, so the kubelet says no this many times before the test opens it.
GATE_HELD = Timeout("gate held shut: nothing behind it starts", 8, poll=0.5)

# Jobs
JOB_POD = Timeout("job's pod created", 60)
JOB_COMPLETE = Timeout("job complete", 120)
CLASSIC_JOB_HOLD = Timeout("job with a classic sidecar stays incomplete", 10)
# Negative control only: a native-sidecar Job completes within 11 s of main's exit (median
# 5 s, 10 soak runs; main exits ~5 s after creation), so a classic one incomplete at 30 s never will.
CONTROL_JOB_COMPLETE = Timeout("job complete (negative control)", 30)

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
