"""A handle on one Pod: status, waits, exec, logs, port-forward."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpx
from kubernetes import client, watch

from helpers import diagnostics, execs
from helpers.cluster import Cluster
from helpers.execs import ExecResult
from helpers.logs import LogFollower, LogLine, read_log
from helpers.portforward import port_forward
from helpers.timeouts import (CONTAINER_TERMINATED, HTTP_REQUEST, HTTP_SERVING, IMAGE_PULL_FAILING, POD_READY,
                              WATCH_IDLE, Timeout)
from helpers.waits import wait_until

PULL_ERRORS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")


def all_statuses(pod: client.V1Pod) -> list[client.V1ContainerStatus]:
    """Statuses of init containers (native sidecars included) and regular containers."""
    return list(pod.status.init_container_statuses or []) + list(pod.status.container_statuses or [])


def is_ready(pod: client.V1Pod) -> bool:
    """The Pod's Ready condition is True."""
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def image_pull_error(pod: client.V1Pod) -> str | None:
    """Which container's image cannot be pulled, and the kubelet's reason, if any."""
    for status in all_statuses(pod):
        waiting = status.state and status.state.waiting
        if waiting and waiting.reason in PULL_ERRORS:
            return f"image {status.image} of container {status.name} cannot be pulled: {waiting.reason}: {waiting.message}"
    return None


class ImagePullFailed(AssertionError):
    """A Pod's image pull kept failing: no point waiting out POD_READY."""


class _ReadyOrPullFailure:
    """Check for wait_until: the Pod is Ready; raises once a pull failed for IMAGE_PULL_FAILING."""

    def __init__(self, pod: Pod):
        self.pod = pod
        self.failing_since: float | None = None

    def __call__(self, current: client.V1Pod) -> bool:
        error = image_pull_error(current)
        if error is None:
            self.failing_since = None
            return is_ready(current)
        self.failing_since = self.failing_since or time.monotonic()
        if time.monotonic() - self.failing_since >= IMAGE_PULL_FAILING.seconds:
            raise ImagePullFailed(f"{self.pod}: {error} (failing for {IMAGE_PULL_FAILING.seconds:g}s"
                                  f" [{IMAGE_PULL_FAILING.name}])\n{self.pod.report()}")
        return False


class PodWatch:
    """Successive states of one Pod from an API watch; a call returns the next one.

    A watch opens with the Pod's current state; it is reopened after WATCH_IDLE seconds
    without a change (the call then returns the state as read), or after an error.
    """

    def __init__(self, pod: Pod):
        self.pod = pod
        self.events: Iterator[dict] | None = None

    def __call__(self) -> client.V1Pod:
        if self.events is None:
            self.events = watch.Watch().stream(
                self.pod.cluster.core.list_namespaced_pod, self.pod.namespace,
                field_selector=f"metadata.name={self.pod.name}", timeout_seconds=int(WATCH_IDLE))
        try:
            return next(self.events)["object"]
        except StopIteration:
            self.events = None
            return self.pod.read()
        except Exception:
            self.events = None
            raise


class Pod:
    """One Pod in a test namespace."""

    def __init__(self, cluster: Cluster, namespace: str, name: str):
        self.cluster = cluster
        self.namespace = namespace
        self.name = name

    def __repr__(self) -> str:
        return f"Pod({self.namespace}/{self.name})"

    # --- reading -------------------------------------------------------------------
    def read(self) -> client.V1Pod:
        """The Pod object as the API has it now."""
        return self.cluster.core.read_namespaced_pod(self.name, self.namespace)

    def status(self, container: str) -> client.V1ContainerStatus:
        """The current status of one container (init, sidecar or regular)."""
        for status in all_statuses(self.read()):
            if status.name == container:
                return status
        raise LookupError(f"{self} has no status for container {container!r} yet")

    def report(self) -> str:
        """Phase, container states and events, for failure messages."""
        return diagnostics.pod_report(self.cluster.core, self.namespace, self.name)

    # --- waiting -------------------------------------------------------------------
    def wait_for(self, what: str, check: Callable[[client.V1Pod], bool], timeout=POD_READY) -> client.V1Pod:
        """Wait until the Pod object satisfies `check`; return it.

        The Pod is watched, not polled: each look is the next state the API reports, so
        no polling interval is added to the time the Pod itself takes.
        """
        return wait_until(f"{self}: {what}", PodWatch(self), check, replace(timeout, poll=0), self.report,
                          show=diagnostics.pod_state)

    def wait_ready(self) -> Pod:
        """Wait for the Ready condition (every container running; probes passed)."""
        self.wait_for("Ready", _ReadyOrPullFailure(self))
        return self

    def wait_terminated(self, container: str) -> client.V1ContainerStateTerminated:
        """Wait for `container` to have terminated; return its terminated state."""
        def terminated(pod: client.V1Pod) -> bool:
            return any(s.name == container and s.state and s.state.terminated for s in all_statuses(pod))

        self.wait_for(f"container {container} terminated", terminated, CONTAINER_TERMINATED)
        return self.status(container).state.terminated

    # --- acting --------------------------------------------------------------------
    def exec(self, container: str, command: list[str], check: bool = True) -> ExecResult:
        """Run `command` in `container`; with `check`, a non-zero exit fails the test."""
        result = execs.run(self.cluster.api, self.namespace, self.name, container, command)
        if check and result.exit_code != 0:
            raise AssertionError(f"exec in {self}/{container} failed\n{result.describe()}\n{self.report()}")
        return result

    def log(self, container: str) -> list[LogLine]:
        """What `container` printed so far, with runtime timestamps."""
        return read_log(self.cluster.core, self.namespace, self.name, container)

    def follow(self, container: str) -> LogFollower:
        """Start following `container`'s log (the stream is open when this returns)."""
        return LogFollower(self.cluster.core, self.namespace, self.name, container)

    @contextmanager
    def http(self, port: int, ready_path: str = "/", timeout: Timeout = HTTP_SERVING):
        """An httpx client on a port-forward to `port`, once GET `ready_path` answers 200."""
        with port_forward(self.cluster.target, self.namespace, self.name, port, self.report) as url, \
                httpx.Client(base_url=url, timeout=HTTP_REQUEST) as http:
            wait_until(f"{self}:{port} to answer GET {ready_path}", lambda: http.get(ready_path),
                       lambda response: response.status_code == 200, timeout, self.report,
                       show=lambda response: f"HTTP {response.status_code} {response.text!r}")
            yield http

    def delete(self) -> None:
        """Ask the API to delete the Pod with its own grace period."""
        self.cluster.core.delete_namespaced_pod(self.name, self.namespace)
