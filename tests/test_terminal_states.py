"""A Pod wait tells a state the Pod will not leave (terminal_state) from "not yet"."""
from kubernetes import client

from helpers.kube.pods import terminal_state


def pod(phase="Pending", waiting=None, message="", conditions=(), last_exit=None, reason=None):
    state = client.V1ContainerState(waiting=client.V1ContainerStateWaiting(reason=waiting, message=message)
                                    if waiting else None,
                                    running=None if waiting else client.V1ContainerStateRunning())
    last = client.V1ContainerState(terminated=client.V1ContainerStateTerminated(exit_code=last_exit, reason="Error")) \
        if last_exit is not None else None
    status = client.V1ContainerStatus(name="app", image="localhost/app:1", image_id="", ready=False,
                                      restart_count=3, state=state, last_state=last)
    return client.V1Pod(metadata=client.V1ObjectMeta(name="demo"),
                        status=client.V1PodStatus(phase=phase, reason=reason, container_statuses=[status],
                                                  conditions=list(conditions)))


def test_a_pod_on_its_way_is_not_terminal():
    assert terminal_state(pod()) is None
    assert terminal_state(pod(waiting="ContainerCreating")) is None
    assert terminal_state(pod(waiting="ErrImagePull")) is None  # the kubelet tries again


def test_a_crash_loop_names_the_container_and_its_last_exit():
    assert terminal_state(pod(waiting="CrashLoopBackOff", message="back-off 10s restarting", last_exit=3)) == (
        "Pod demo: container app: CrashLoopBackOff: back-off 10s restarting (last exit 3 Error)")


def test_an_image_that_cannot_be_pulled_names_the_image():
    assert terminal_state(pod(waiting="ImagePullBackOff", message="dial tcp: refused")) == (
        "Pod demo: image localhost/app:1 of container app: ImagePullBackOff: dial tcp: refused")


def test_unschedulable_carries_the_schedulers_message():
    scheduled = client.V1PodCondition(type="PodScheduled", status="False", reason="Unschedulable",
                                      message="0/1 nodes are available: 1 node(s) were unschedulable.")
    assert terminal_state(pod(conditions=[scheduled])) == (
        "Pod demo Unschedulable: 0/1 nodes are available: 1 node(s) were unschedulable.")


def test_a_finished_pod_is_terminal():
    assert terminal_state(pod(phase="Failed", reason="DeadlineExceeded")) == "Pod demo Failed: DeadlineExceeded"
