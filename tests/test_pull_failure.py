"""Waiting for a Pod stops early, naming the image and the reason, when its pull keeps failing."""
from types import SimpleNamespace

import pytest
from kubernetes import client

from helpers import pods
from helpers.timeouts import Timeout


def pod_waiting(reason: str) -> client.V1Pod:
    waiting = client.V1ContainerStateWaiting(reason=reason, message="dial tcp: connection refused")
    status = client.V1ContainerStatus(name="app", image="localhost/nope:1", image_id="", ready=False,
                                      restart_count=0, state=client.V1ContainerState(waiting=waiting))
    return client.V1Pod(status=client.V1PodStatus(container_statuses=[status], conditions=[]))


def test_a_pull_error_is_named_with_image_and_reason():
    assert pods.image_pull_error(pod_waiting("ImagePullBackOff")) == (
        "image localhost/nope:1 of container app cannot be pulled: ImagePullBackOff: dial tcp: connection refused")
    assert pods.image_pull_error(pod_waiting("ContainerCreating")) is None


def test_ready_check_waits_out_a_blip_then_raises(monkeypatch):
    check = pods._ReadyOrPullFailure(SimpleNamespace(report=lambda: "pod state"))
    monkeypatch.setattr(pods, "IMAGE_PULL_FAILING", Timeout("test", 3600))
    assert check(pod_waiting("ErrImagePull")) is False
    monkeypatch.setattr(pods, "IMAGE_PULL_FAILING", Timeout("test", 0))
    with pytest.raises(pods.ImagePullFailed, match="localhost/nope:1 of container app cannot be pulled: ErrImagePull"):
        check(pod_waiting("ErrImagePull"))
