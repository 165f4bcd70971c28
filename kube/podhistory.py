"""Every state of one Pod the API reports, from before it is created until it finishes.

A watch (not polling) from the namespace's current resourceVersion, opened before the
Pod exists, so no state is missed between two looks.
"""
from __future__ import annotations

import threading

from kubernetes import client, watch

from kube.timeouts import Timeout
from kube.waits import wait_until

FINISHED = ("Succeeded", "Failed")


class PodHistory:
    """Collects the states of Pod `name` in `namespace` in a thread, until it finishes."""

    def __init__(self, core: client.CoreV1Api, namespace: str, name: str, timeout: Timeout):
        self.name, self.timeout = name, timeout
        self.states: list[client.V1Pod] = []
        self.error: Exception | None = None
        self.done = False
        selector = f"metadata.name={name}"
        start = core.list_namespaced_pod(namespace, field_selector=selector).metadata.resource_version
        self._watch = watch.Watch()
        stream = self._watch.stream(core.list_namespaced_pod, namespace, field_selector=selector,
                                    resource_version=start, timeout_seconds=int(timeout.seconds))
        threading.Thread(target=self._collect, args=(stream,), daemon=True).start()

    def _collect(self, stream) -> None:
        try:
            for event in stream:
                pod = event["object"]
                self.states.append(pod)
                if event["type"] == "DELETED" or (pod.status and pod.status.phase in FINISHED):
                    break
        except Exception as exc:  # handed to the waiting test by wait_finished
            self.error = exc
        finally:
            self.done = True
            self._watch.stop()

    def wait_finished(self) -> list[client.V1Pod]:
        """Wait until the Pod finished (or the watch ended); return every state seen."""
        wait_until(f"pod {self.name} to run to completion", lambda: self.done, bool, self.timeout,
                   lambda: f"{len(self.states)} states seen, last phase"
                           f" {self.states[-1].status.phase if self.states else None}")
        if self.error is not None:
            raise self.error
        return self.states
