"""PodHistory: a watch the server ends early is reopened from the last state seen; a Pod not
finished by the timeout is a WaitTimeout naming its last phase, not a short history."""
import time
from types import SimpleNamespace

import pytest
from kubernetes import client

from helpers.kube import podhistory
from helpers.kube.podhistory import PodHistory
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import WaitTimeout


def _pod(phase: str, version: str) -> client.V1Pod:
    return client.V1Pod(metadata=client.V1ObjectMeta(resource_version=version), status=client.V1PodStatus(phase=phase))


class _Core:
    def list_namespaced_pod(self, namespace, field_selector):
        return SimpleNamespace(metadata=SimpleNamespace(resource_version="1"))


def _watching(monkeypatch, streams):
    """PodHistory's watches give `streams` in turn (then nothing, after a short pause); the
    resourceVersions each was opened from."""
    opened = []

    def states(self, since, seconds):
        opened.append(since)
        if streams:
            yield from (("MODIFIED", pod) for pod in streams.pop(0))
        else:
            time.sleep(0.05)

    monkeypatch.setattr(PodHistory, "_states", states)
    monkeypatch.setattr(podhistory, "AFTER_FINISHED", 0)
    return opened


def test_a_watch_ended_early_is_reopened_from_the_last_state(monkeypatch):
    opened = _watching(monkeypatch, [[_pod("Pending", "2"), _pod("Running", "3")], [_pod("Succeeded", "4")], []])
    states = PodHistory(_Core(), "ns", "p", Timeout("t", 5, poll=0.05)).wait_finished()
    assert [s.status.phase for s in states] == ["Pending", "Running", "Succeeded"]
    assert opened == ["1", "3", "4"]


def test_a_pod_still_running_at_the_timeout_is_a_timeout_naming_its_last_phase(monkeypatch):
    _watching(monkeypatch, [[_pod("Pending", "2"), _pod("Running", "3")]])
    history = PodHistory(_Core(), "ns", "p", Timeout("pod ran to completion", 0.5, poll=0.05))
    with pytest.raises(WaitTimeout, match="last phase Running"):
        history.wait_finished()
