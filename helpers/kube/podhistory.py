"""Every state of one Pod the API reports, from before it is created until a while after it
finished.

A watch (not polling) from the namespace's current resourceVersion, opened before the
Pod exists, so no state is missed between two looks; once the Pod finished, the states
reported in the next AFTER_FINISHED seconds too (a kubelet's later status updates of a
finished Pod: some dropped its podIP, kubernetes/kubernetes#125404).
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import replace

from kubernetes import client, watch

from helpers.kube.timeouts import Timeout
from helpers.kube.waits import WaitTimeout, wait_until

FINISHED = ("Succeeded", "Failed")
AFTER_FINISHED = 5  # seconds of states still collected once the Pod finished
STREAM_SLACK = 2  # seconds: a watch's server-side timeout is whole seconds, rounded up here


class PodHistory:
    """Collects the states of Pod `name` in `namespace` in a thread, until it finishes."""

    def __init__(self, core: client.CoreV1Api, namespace: str, name: str, timeout: Timeout):
        self.name, self.timeout = name, timeout
        self.states: list[client.V1Pod] = []
        self.error: Exception | None = None
        self.done = False
        self._core, self._namespace, self._selector = core, namespace, f"metadata.name={name}"
        start = core.list_namespaced_pod(namespace, field_selector=self._selector).metadata.resource_version
        threading.Thread(target=self._collect, args=(start,), daemon=True).start()

    def _states(self, since: str, seconds: float):
        """(event type, Pod) from a watch from resourceVersion `since`, for at most `seconds`."""
        stream = watch.Watch().stream(self._core.list_namespaced_pod, self._namespace, field_selector=self._selector,
                                      resource_version=since, timeout_seconds=max(1, math.ceil(seconds)))
        for event in stream:
            yield event["type"], event["object"]

    def _collect(self, start: str) -> None:
        """Watch until the Pod finished (then AFTER_FINISHED more) or was deleted; a stream the
        server ends earlier is reopened from the last state seen. Not finished by the timeout: a
        WaitTimeout naming the last phase, for the waiting test."""
        deadline, since = time.monotonic() + self.timeout.seconds, start
        try:
            while (left := deadline - time.monotonic()) > 0:
                for kind, pod in self._states(since, left):
                    self.states.append(pod)
                    since = pod.metadata.resource_version
                    if kind == "DELETED":
                        return
                    if pod.status and pod.status.phase in FINISHED:
                        self.states.extend(later for _, later in self._states(since, AFTER_FINISHED))
                        return
            self.error = WaitTimeout(f"pod {self.name} to run to completion", self.timeout,
                                     f"{len(self.states)} states, last phase {self._last_phase()}")
        except Exception as exc:  # handed to the waiting test by wait_finished
            self.error = exc
        finally:
            self.done = True

    def _last_phase(self) -> str | None:
        return self.states[-1].status.phase if self.states and self.states[-1].status else None

    def wait_finished(self) -> list[client.V1Pod]:
        """Wait until the Pod finished and AFTER_FINISHED passed, or was deleted; return every
        state seen. Raises WaitTimeout when it had not finished by the timeout."""
        bound = replace(self.timeout, base_seconds=self.timeout.base_seconds + AFTER_FINISHED + STREAM_SLACK)
        wait_until(f"pod {self.name} to run to completion", lambda: self.done, bool, bound,
                   lambda: f"{len(self.states)} states seen, last phase {self._last_phase()}")
        if self.error is not None:
            raise self.error
        return self.states
