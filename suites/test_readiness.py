"""Scenario 8: a sidecar's readiness counts for the Pod and its Service; a Service reaches
a port the sidecar declares by name."""
import time

import pytest

from helpers.checks.readiness import (
    assert_kept_out_while_sidecar_not_ready,
    assert_service_reaches_sidecar,
    deploy_with_sidecar_not_ready,
    make_sidecar_ready,
    wait_let_in,
)

pytestmark = pytest.mark.readiness


@pytest.fixture(scope="class")
def pod(shared_namespace, sidecar_style):
    """readiness-demo: app ready, sidecar running but not ready yet."""
    return deploy_with_sidecar_not_ready(shared_namespace, sidecar_style)


class TestReadinessDemo:
    """One readiness-demo per sidecar style: the first check sees its sidecar not ready, then
    makes it ready; the second makes it ready (if it is not yet) and calls the Service."""

    def test_sidecar_readiness_gates_the_pod_and_its_service_endpoint(self, shared_namespace, pod, record_delay):
        assert_kept_out_while_sidecar_not_ready(shared_namespace, pod)

        ready_at = make_sidecar_ready(pod)
        wait_let_in(shared_namespace, pod)
        record_delay("readiness: sidecar made ready -> Pod Ready and endpoint ready", time.monotonic() - ready_at)

    def test_service_reaches_the_port_the_sidecar_names(self, shared_namespace, pod):
        make_sidecar_ready(pod)
        pod.wait_ready()
        assert_service_reaches_sidecar(shared_namespace)
