"""Negative controls of scheduling and quotas: the suite's checks of helpers/checks/scheduling.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""
import pytest

from helpers.checks import scheduling


def counted_quota(namespace, style, manifest="scheduling/scheduling-quota.yaml"):
    sent = namespace.deploy(manifest, style)
    return scheduling.wait_quota_counted(namespace), scheduling.sent_spec(namespace, sent, scheduling.REQUESTS_POD)


def test_quota_check_refuses_every_request_added_up(namespace, broken, sidecar_style):
    quota, spec = counted_quota(namespace, sidecar_style)
    with broken(scheduling.QUOTA_COUNTS_EFFECTIVE_REQUESTS):
        scheduling.assert_quota_counts_effective_requests(quota, scheduling.requests_summed(spec))


@pytest.mark.sidecar_styles("native")
@pytest.mark.parametrize("manifest", ["scheduling/scheduling-quota.yaml", "scheduling/scheduling-quota-interleaved.yaml"])
def test_quota_check_refuses_the_sidecar_counted_as_a_plain_init_container(namespace, broken, sidecar_style, manifest):
    quota, spec = counted_quota(namespace, sidecar_style, manifest)
    with broken(scheduling.QUOTA_COUNTS_EFFECTIVE_REQUESTS):
        scheduling.assert_quota_counts_effective_requests(quota, scheduling.requests_before_sidecars(spec))


@pytest.mark.pod_security("privileged")
def test_sidecar_host_port_elsewhere_lets_another_pod_in(namespace, broken, sidecar_style):
    port = scheduling.CONTROL_PORTS[sidecar_style]
    _, node = scheduling.deploy_port_holder(namespace, sidecar_style, port,
                                            "scheduling/controls/scheduling-agent-on-another-port.yaml")
    with broken(scheduling.SIDECAR_HOSTPORT_BLOCKS_ANOTHER_POD):
        scheduling.assert_port_blocks_contender(scheduling.wait_contest_decided(namespace, sidecar_style, node, port))
