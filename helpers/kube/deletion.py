"""Delete a Pod while watching it and following its containers' logs to the end.

A Pod's logs and status vanish with it, so both are captured on streams opened
before the delete request. The kubelet counts the grace period from when it starts
stopping the Pod (its first "Killing" event), not from the delete request: under load it
starts seconds later, so grace-period checks are measured from that event.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kubernetes import client, watch

from helpers.kube import observers
from helpers.kube.diagnostics import pod_state
from helpers.kube.logs import LogFollower
from helpers.kube.pods import Pod, all_statuses
from helpers.kube.timeouts import KILLING_EVENT, pod_deletion
from helpers.kube.waits import wait_until


class _PodWatch:
    """Remembers the last state of one Pod until its DELETED event."""

    def __init__(self, pod: Pod, resource_version: str, timeout: float):
        self.last: client.V1Pod | None = None
        self.deleted = False
        self.deleted_at: datetime | None = None  # this machine's clock when DELETED arrived
        self.error: Exception | None = None
        self._watch = watch.Watch()
        args = (pod.cluster.core.list_namespaced_pod, pod.namespace)
        kwargs = dict(field_selector=f"metadata.name={pod.name}",
                      resource_version=resource_version, timeout_seconds=int(timeout))
        threading.Thread(target=self._run, args=(args, kwargs), daemon=True).start()

    def _run(self, args, kwargs) -> None:
        try:
            for event in self._watch.stream(*args, **kwargs):
                self.last = event["object"]
                if event["type"] == "DELETED":
                    self.deleted_at = datetime.now(UTC)
                    self.deleted = True
                    return
        except Exception as exc:
            self.error = exc
        finally:
            self._watch.stop()

    def describe(self) -> str:
        """The last Pod state the watch saw."""
        return pod_state(self.last) if self.last else "(no watch event yet)"


@dataclass(frozen=True)
class Deletion:
    """What was seen while a Pod was deleted."""

    requested_at: datetime  # this machine's clock when the delete was sent
    kill_started: datetime  # the kubelet's first "Killing" event for the Pod (1 s resolution)
    grace_seconds: int
    final: client.V1Pod  # the Pod as it was deleted (last container states)
    logs: dict[str, LogFollower]
    gone_at: datetime  # this machine's clock when the watch saw the Pod deleted
    accepted_at: datetime  # the API server's clock when it took the delete (1 s resolution)

    @property
    def grace_ends(self) -> datetime:
        """When the kubelet's grace period ends: its first "Killing" event plus the grace period."""
        return self.kill_started + timedelta(seconds=self.grace_seconds)

    def terminated(self, container: str) -> client.V1ContainerStateTerminated:
        """The final terminated state of `container`."""
        for status in all_statuses(self.final):
            if status.name == container and status.state and status.state.terminated:
                return status.state.terminated
        states = [f"{s.name}: {s.state}" for s in all_statuses(self.final)]
        raise AssertionError(f"{container} had not terminated when the Pod was deleted: {states}")

    def seconds_after_request(self, moment: datetime) -> float:
        """Seconds from the delete request to `moment` (a node or API server time)."""
        return (moment - self.requested_at).total_seconds()


def delete_observed(pod: Pod, follow: list[str]) -> Deletion:
    """Delete `pod` with its own grace period, following the logs of `follow`."""
    current = pod.read()
    grace = current.spec.termination_grace_period_seconds
    timeout = pod_deletion(grace)
    followers = {container: pod.follow(container) for container in follow}
    pod_watch = _PodWatch(pod, current.metadata.resource_version, timeout.seconds)
    requested_at = datetime.now(UTC)
    taken = pod.delete()
    wait_until(f"{pod} to be deleted", lambda: pod_watch.deleted or pod_watch.error,
               bool, timeout, pod_watch.describe)
    if pod_watch.error is not None:
        raise AssertionError(f"watching {pod} broke ({pod_watch.error!r})")
    for follower in followers.values():
        follower.wait_ended(pod_watch.describe)
    observers.tell(observers.TEXT, pod.namespace, title=f"{pod.name}: final status (as deleted)", text=pod_watch.describe())
    for container, follower in followers.items():
        observers.tell(observers.TEXT, pod.namespace, title=f"{pod.name}/{container}: log (followed through the deletion)",
                       text="\n".join([*(f"{line.time.isoformat()} {line.text}" for line in follower.lines),
                                        *(f"(from the kubelet) {notice}" for notice in follower.notices)]))
    accepted_at = taken.metadata.deletion_timestamp - timedelta(seconds=taken.metadata.deletion_grace_period_seconds)
    return Deletion(requested_at, _kill_started(pod, current.metadata.uid), grace, pod_watch.last, followers,
                    pod_watch.deleted_at, accepted_at)


def _kill_started(pod: Pod, uid: str) -> datetime:
    """The time of the kubelet's first "Killing" event for the Pod with `uid` (events are
    written asynchronously, so wait for it)."""
    def killings() -> list[datetime]:
        events = pod.cluster.core.list_namespaced_event(
            pod.namespace, field_selector=f"involvedObject.uid={uid},reason=Killing").items
        return [event.event_time or event.first_timestamp for event in events]

    return min(wait_until(f"the kubelet's Killing event for {pod}", killings, bool, KILLING_EVENT))

