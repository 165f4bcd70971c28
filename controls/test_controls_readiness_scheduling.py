"""Negative controls of sidecar readiness and of scheduling and quotas: the suites' checks,
run on Pods broken in exactly one way (or, for the quota, given a wrong count), in both
sidecar styles unless the check exists in one style only."""
import pytest

from helpers.checks import readiness, scheduling


def test_sidecar_without_readiness_probe_lets_the_pod_in_early(namespace, broken, sidecar_style):
    pod = readiness.deploy_with_sidecar_not_ready(namespace, sidecar_style,
                                                  "controls/readiness-sidecar-without-probe.yaml")
    with broken("readiness", "sidecar not ready keeps the Pod out"):
        readiness.assert_kept_out_while_sidecar_not_ready(namespace, pod)


def test_sidecar_probe_that_never_passes_keeps_the_pod_out(namespace, broken, sidecar_style):
    pod = readiness.deploy_with_sidecar_not_ready(namespace, sidecar_style, "controls/readiness-probe-elsewhere.yaml")
    readiness.assert_kept_out_while_sidecar_not_ready(namespace, pod)
    readiness.make_sidecar_ready(pod)
    with broken("readiness", "ready sidecar lets the Pod in"):
        readiness.wait_let_in(namespace, pod)


def test_service_targeting_a_port_the_sidecar_does_not_name(namespace, broken, sidecar_style):
    pod = readiness.deploy_with_sidecar_not_ready(namespace, sidecar_style,
                                                  "controls/readiness-service-targets-the-app.yaml")
    readiness.make_sidecar_ready(pod)
    pod.wait_ready()
    with broken("readiness", "Service reaches the sidecar's named port"):
        readiness.assert_service_reaches_sidecar(namespace)


def counted_quota(namespace, style, manifest="scheduling-quota.yaml"):
    sent = namespace.deploy(manifest, style)
    return scheduling.wait_quota_counted(namespace), scheduling.sent_spec(namespace, sent, scheduling.REQUESTS_POD)


def test_quota_check_refuses_every_request_added_up(namespace, broken, sidecar_style):
    quota, spec = counted_quota(namespace, sidecar_style)
    with broken("scheduling", "quota counts effective requests"):
        scheduling.assert_quota_counts_effective_requests(quota, scheduling.requests_summed(spec))


@pytest.mark.sidecar_styles("native")
@pytest.mark.parametrize("manifest", ["scheduling-quota.yaml", "scheduling-quota-interleaved.yaml"])
def test_quota_check_refuses_the_sidecar_counted_as_a_plain_init_container(namespace, broken, sidecar_style, manifest):
    quota, spec = counted_quota(namespace, sidecar_style, manifest)
    with broken("scheduling", "quota counts effective requests"):
        scheduling.assert_quota_counts_effective_requests(quota, scheduling.requests_before_sidecars(spec))


@pytest.mark.pod_security("privileged")
def test_sidecar_host_port_elsewhere_lets_another_pod_in(namespace, broken, sidecar_style):
    port = scheduling.CONTROL_PORTS[sidecar_style]
    _, node = scheduling.deploy_port_holder(namespace, sidecar_style, port,
                                            "controls/scheduling-agent-on-another-port.yaml")
    with broken("scheduling", "sidecar hostPort blocks another Pod"):
        scheduling.assert_port_blocks_contender(scheduling.wait_contest_decided(namespace, sidecar_style, node, port))
