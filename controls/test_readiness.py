"""Negative controls of sidecar readiness: the suite's checks of helpers/checks/readiness.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""

from helpers.checks import readiness


def test_sidecar_without_readiness_probe_lets_the_pod_in_early(namespace, broken, sidecar_style):
    pod = readiness.deploy_with_sidecar_not_ready(namespace, sidecar_style,
                                                  "readiness/controls/readiness-sidecar-without-probe.yaml")
    with broken(readiness.SIDECAR_NOT_READY_KEEPS_THE_POD_OUT):
        readiness.assert_kept_out_while_sidecar_not_ready(namespace, pod)


def test_sidecar_probe_that_never_passes_keeps_the_pod_out(namespace, broken, sidecar_style):
    pod = readiness.deploy_with_sidecar_not_ready(namespace, sidecar_style, "readiness/controls/readiness-probe-elsewhere.yaml")
    readiness.assert_kept_out_while_sidecar_not_ready(namespace, pod)
    readiness.make_sidecar_ready(pod)
    with broken(readiness.READY_SIDECAR_LETS_THE_POD_IN):
        readiness.wait_let_in(namespace, pod)


def test_service_targeting_a_port_the_sidecar_does_not_name(namespace, broken, sidecar_style):
    pod = readiness.deploy_with_sidecar_not_ready(namespace, sidecar_style,
                                                  "readiness/controls/readiness-service-targets-the-app.yaml")
    readiness.make_sidecar_ready(pod)
    pod.wait_ready()
    with broken(readiness.SERVICE_REACHES_THE_SIDECAR_S_NAMED_PORT):
        readiness.assert_service_reaches_sidecar(namespace)
