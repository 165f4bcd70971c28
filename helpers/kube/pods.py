"""A handle on one Pod: status, waits, exec, logs, port-forward."""
from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpx
from kubernetes import client, watch

from helpers.kube import diagnostics, execs, observers
from helpers.kube.cluster import Cluster
from helpers.kube.execs import ExecResult
from helpers.kube.logs import LogFollower, LogLine, read_log
from helpers.kube.reach import reach
from helpers.kube.timeouts import (
    CONTAINER_TERMINATED,
    EXEC,
    HTTP_REQUEST,
    HTTP_SERVING,
    IN_POD_MARGIN,
    IN_POD_POLL,
    POD_READY,
    WATCH_IDLE,
    Timeout,
)
from helpers.kube.waits import NotYet, WaitTimeout, wait_until

# Waiting reasons of a container the kubelet will not get out of by itself, soon enough.
STUCK_REASONS = ("CrashLoopBackOff", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
                 "CreateContainerConfigError", "CreateContainerError", "RunContainerError")


def all_statuses(pod: client.V1Pod) -> list[client.V1ContainerStatus]:
    """Statuses of init containers (native sidecars included) and regular containers."""
    return list(pod.status.init_container_statuses or []) + list(pod.status.container_statuses or [])


def status_in(pod: client.V1Pod, container: str) -> client.V1ContainerStatus | None:
    """The status of `container` in this Pod object, if it has one yet."""
    return next((s for s in all_statuses(pod) if s.name == container), None)


def is_running(pod: client.V1Pod, container: str) -> bool:
    """`container` is running in this Pod object."""
    status = status_in(pod, container)
    return bool(status and status.state and status.state.running)


def has_started(pod: client.V1Pod, container: str) -> bool:
    """The kubelet has started `container` in this Pod object: it runs, or ran."""
    status = status_in(pod, container)
    return bool(status and (status.started or (status.state and (status.state.running or status.state.terminated))))


def is_ready(pod: client.V1Pod) -> bool:
    """The Pod's Ready condition is True."""
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def _last_exit(status: client.V1ContainerStatus) -> str:
    last = status.last_state and status.last_state.terminated
    return f" (last exit {last.exit_code} {last.reason or ''})".replace(" )", ")") if last else ""


def stuck_container(pod: client.V1Pod) -> str | None:
    """The first container waiting for a reason it will not leave by itself, in the kubelet's words."""
    for status in all_statuses(pod):
        waiting = status.state and status.state.waiting
        if waiting and waiting.reason in STUCK_REASONS:
            what = f"image {status.image} of container {status.name}" if "Image" in waiting.reason else \
                f"container {status.name}"
            return f"{what}: {waiting.reason}: {waiting.message or ''}".rstrip(": ") + _last_exit(status)
    return None


def terminal_state(pod: client.V1Pod) -> str | None:
    """Why a Pod will not reach a state it is not in now, or None while it still may.

    Finished (Succeeded/Failed), Unschedulable (with the scheduler's message), or a
    container stuck (crash loop, image that cannot be pulled, bad container config).
    """
    status = pod.status
    if status.phase in ("Succeeded", "Failed"):
        ended = [f"{s.name} exit {s.state.terminated.exit_code}" for s in all_statuses(pod)
                 if s.state and s.state.terminated]
        return (f"Pod {pod.metadata.name} {status.phase}" + (f": {status.reason}" if status.reason else "")
                + (f" ({', '.join(ended)})" if ended else ""))
    for condition in status.conditions or []:
        if condition.type == "PodScheduled" and condition.status == "False" and condition.reason == "Unschedulable":
            return f"Pod {pod.metadata.name} Unschedulable: {condition.message}"
    stuck = stuck_container(pod)
    return f"Pod {pod.metadata.name}: {stuck}" if stuck else None


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
        status = status_in(self.read(), container)
        if status is not None:
            return status
        raise NotYet(f"{self} has no status for container {container!r} yet")

    def report(self) -> str:
        """Phase, container states and events, for failure messages."""
        return diagnostics.pod_report(self.cluster.core, self.namespace, self.name)

    # --- waiting -------------------------------------------------------------------
    def wait_for(self, what: str, check: Callable[[client.V1Pod], bool], timeout=POD_READY,
                 terminal: Callable[[client.V1Pod], str | None] = terminal_state) -> client.V1Pod:
        """Wait until the Pod object satisfies `check`; return it. Stops at once with the
        cluster's reason when `terminal` says the Pod will not get there (terminal_state).

        The Pod is watched, not polled: each look is the next state the API reports, so
        no polling interval is added to the time the Pod itself takes.
        """
        return wait_until(f"{self}: {what}", PodWatch(self), check, replace(timeout, poll=0), self.report,
                          show=diagnostics.pod_state, terminal=terminal)

    def wait_ready(self) -> Pod:
        """Wait for the Ready condition (every container running; probes passed)."""
        self.wait_for("Ready", is_ready)
        return self

    def wait_terminated(self, container: str) -> client.V1ContainerStateTerminated:
        """Wait for `container` to have terminated; return its terminated state."""
        def terminated(pod: client.V1Pod) -> bool:
            status = status_in(pod, container)
            return bool(status and status.state and status.state.terminated)

        self.wait_for(f"container {container} terminated", terminated, CONTAINER_TERMINATED)
        return self.status(container).state.terminated

    # --- acting --------------------------------------------------------------------
    def exec(self, container: str, command: list[str], check: bool = True, timeout: Timeout = EXEC) -> ExecResult:
        """Run `command` in `container` (bounded by `timeout`); with `check`, a non-zero exit fails the test."""
        result = execs.run(self.cluster.api, self.namespace, self.name, container, command, timeout)
        if check and result.exit_code != 0:
            raise self._exec_failed(container, result)
        return result

    def _exec_failed(self, container: str, result: ExecResult) -> AssertionError:
        return AssertionError(f"exec in {self}/{container} failed\n{result.describe()}\n{self.report()}")

    def wait_file_contains(self, container: str, what: str, path: str, text: str, timeout: Timeout) -> None:
        """Wait until file `path` in `container` contains `text`.

        One exec: the container's own shell looks every IN_POD_POLL seconds, where an exec per
        look would cost the API server, kubelet and runtime each time. On timeout WaitTimeout
        says what the file held last.
        """
        tries = max(1, math.ceil(timeout.seconds / IN_POD_POLL))
        show = f"cat {shlex.quote(path)}"
        script = (f"i=0; until grep -qF {shlex.quote(text)} {shlex.quote(path)}; do i=$((i+1));"
                  f" if [ $i -ge {tries} ]; then {show}; exit 124; fi; sleep {IN_POD_POLL}; done")
        bound = Timeout(f"exec of a wait for {timeout.name}", timeout.base_seconds + IN_POD_MARGIN)
        result = self.exec(container, ["sh", "-c", script], check=False, timeout=bound)
        if result.exit_code == 124:
            raise WaitTimeout(f"{self}/{container}: {what}", timeout, result.stdout.strip(), self.report())
        if result.exit_code != 0:
            raise self._exec_failed(container, result)

    def log(self, container: str) -> list[LogLine]:
        """What `container` printed so far, with runtime timestamps."""
        return read_log(self.cluster.core, self.namespace, self.name, container)

    def follow(self, container: str) -> LogFollower:
        """Start following `container`'s log (the stream is open when this returns)."""
        return LogFollower(self.cluster.core, self.namespace, self.name, container)

    @contextmanager
    def http(self, port: int, ready_path: str = "/", timeout: Timeout = HTTP_SERVING, loopback_via: str | None = None,
             keep_alive: bool = True):
        """An httpx client to `port` (a port-forward; in an in-cluster run the Pod's IP, or, for a
        port only on the Pod's loopback, container `loopback_via`), once GET `ready_path` answers 200.

        A port-forward that ends during the wait (kubectl exits when the Pod refuses a connection,
        as one not listening yet does) is started again, within `timeout`; one that ends once the
        port answered stays ended: a request through it fails as a ConnectError that quotes kubectl.
        `keep_alive=False`: each request on a connection of its own (`Connection: close`), for a
        server that reloads under the client (nginx closing an idle kept-alive connection as a
        request arrives resets it, and kubectl port-forward exits on a reset).
        """
        what = f"{self}:{port} to answer GET {ready_path}"
        with reach(self.cluster.target, self.cluster.api, self.namespace, self.name,
                   lambda: self.read().status.pod_ip, port, self.report, loopback_via) as forward:

            def through_a_live_forward(request: httpx.Request) -> None:
                ended = forward.ended()
                if ended:
                    raise httpx.ConnectError(ended, request=request)

            def ask() -> httpx.Response:
                ended = forward.ended()
                if ended:
                    forward.reopen()
                    raise NotYet(ended)
                return http.get(ready_path)

            with httpx.Client(base_url=forward.url, timeout=HTTP_REQUEST, transport=forward.transport,
                              headers=None if keep_alive else {"Connection": "close"},
                              event_hooks={"request": [through_a_live_forward]}) as http:
                wait_until(what, ask, lambda response: response.status_code == 200, timeout, self.report,
                           show=lambda response: f"HTTP {response.status_code} {response.text!r}")
                yield http

    def delete(self) -> client.V1Pod:
        """Ask the API to delete the Pod with its own grace period; the Pod as the API server
        took it (its deletionTimestamp: when it took it plus the grace period)."""
        taken = self.cluster.core.delete_namespaced_pod(self.name, self.namespace)
        observers.tell(observers.DELETE_POD, self.namespace, name=self.name)
        return taken
