"""Scenario 9: what the scheduler and quotas count of sidecars: effective requests, host ports."""
import pytest

from checks.scheduling import (
    REQUESTS_POD,
    assert_port_blocks_contender,
    assert_quota_counts_effective_requests,
    deploy_port_holder,
    effective_requests,
    pod_spec,
    the_one_node,
    wait_contest_decided,
    wait_quota_counted,
)

pytestmark = pytest.mark.scheduling


def test_quota_counts_the_pods_effective_requests(namespace, sidecar_style):
    namespace.deploy("scheduling-quota.yaml", sidecar_style)
    quota = wait_quota_counted(namespace)
    assert_quota_counts_effective_requests(quota, effective_requests(pod_spec(namespace, REQUESTS_POD)))


@pytest.fixture
def one_node(cluster) -> None:
    """Skips unless the cluster has one schedulable node (a second Pod would go to another)."""
    node, reason = the_one_node(cluster.core)
    if node is None:
        pytest.skip(reason)


@pytest.mark.pod_security("privileged")  # hostPort is refused by "baseline"
def test_sidecar_host_port_keeps_another_pod_off_the_node(one_node, namespace, sidecar_style):
    _, node = deploy_port_holder(namespace, sidecar_style)
    assert_port_blocks_contender(wait_contest_decided(namespace, sidecar_style, node))
