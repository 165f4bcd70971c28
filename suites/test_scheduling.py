"""Scenario 9: what the scheduler and quotas count of sidecars: effective requests, host ports."""
import pytest

from helpers.checks.scheduling import (
    REQUESTS_POD,
    SUITE_PORTS,
    assert_port_blocks_contender,
    assert_quota_counts_effective_requests,
    deploy_port_holder,
    effective_requests,
    sent_spec,
    wait_contest_decided,
    wait_quota_counted,
)

pytestmark = pytest.mark.scheduling


def test_quota_counts_the_pods_effective_requests(namespace, sidecar_style):
    sent = namespace.deploy("scheduling/scheduling-quota.yaml", sidecar_style)
    quota = wait_quota_counted(namespace)
    assert_quota_counts_effective_requests(quota, effective_requests(sent_spec(namespace, sent, REQUESTS_POD)))


@pytest.mark.sidecar_styles("native")
def test_quota_counts_an_init_container_beside_the_sidecars_before_it(namespace, sidecar_style):
    sent = namespace.deploy("scheduling/scheduling-quota-interleaved.yaml", sidecar_style)
    quota = wait_quota_counted(namespace)
    assert_quota_counts_effective_requests(quota, effective_requests(sent_spec(namespace, sent, REQUESTS_POD)))


@pytest.mark.pod_security("privileged")  # hostPort is refused by "baseline"
def test_sidecar_host_port_keeps_another_pod_off_the_node(namespace, sidecar_style):
    port = SUITE_PORTS[sidecar_style]
    _, node = deploy_port_holder(namespace, sidecar_style, port)
    assert_port_blocks_contender(wait_contest_decided(namespace, sidecar_style, node, port))
