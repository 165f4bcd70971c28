"""Scenario 8: a sidecar's readiness counts for the Pod and its Service; a Service reaches
a port the sidecar declares by name."""
import time

import pytest

from checks.readiness import (
    assert_kept_out_while_sidecar_not_ready,
    assert_service_reaches_sidecar,
    deploy_with_sidecar_not_ready,
    make_sidecar_ready,
    wait_let_in,
)

pytestmark = pytest.mark.readiness


@pytest.fixture
def pod(namespace, sidecar_style):
    """readiness-demo: app ready, sidecar running but not ready yet."""
    return deploy_with_sidecar_not_ready(namespace, sidecar_style)


def test_sidecar_readiness_gates_the_pod_and_its_service_endpoint(namespace, pod, record_delay):
    assert_kept_out_while_sidecar_not_ready(namespace, pod)

    ready_at = make_sidecar_ready(pod)
    wait_let_in(namespace, pod)
    record_delay("readiness: sidecar made ready -> Pod Ready and endpoint ready", time.monotonic() - ready_at)


def test_service_reaches_the_port_the_sidecar_names(namespace, pod):
    make_sidecar_ready(pod)
    pod.wait_ready()
    assert_service_reaches_sidecar(namespace)
