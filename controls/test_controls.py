"""Negative controls: the suite's checks, run on Pods broken in exactly one behaviour."""
import pytest

from checks import logs, network, ordering, proxy, reload, shutdown
from kube.deletion import delete_observed
from kube.kubelet import config_reload_timeout
from kube.timeouts import CONTROL_JOB_COMPLETE, JOB_POD
from kube.waits import wait_until

CLASSIC = "classic"


def test_sidecar_in_a_separate_pod_shares_nothing(namespace, broken):
    namespace.deploy("network.yaml", CLASSIC, "controls/network-separate-pods.yaml")
    app, sidecar = namespace.pod("network-demo").wait_ready(), namespace.pod("network-sidecar").wait_ready()
    with broken("shared Pod IP broken: network-sidecar/sidecar"):
        network.assert_eth0_has_pod_ip(app.read().status.pod_ip, [(app, "app"), (sidecar, "sidecar")])
    with broken("shared network namespace broken"):
        network.assert_same_network_namespace((app, "app"), (sidecar, "sidecar"))
    with broken("shared loopback broken: network-sidecar/sidecar"):
        network.assert_reaches_app_on_loopback(sidecar, "sidecar", app.name)
    with broken("shared sockets broken: network-sidecar/sidecar"):
        network.assert_sees_app_socket(sidecar, "sidecar")


@pytest.mark.parametrize("scenario, overlay, pod_name, match", [
    ("logs.yaml", "logs-separate-volumes.yaml", "logs-demo", "waiting for log shipping"),
    ("logs.yaml", "logs-lossy-shipper.yaml", "logs-demo", "log shipping lost or reordered lines"),
    ("logs-rotation.yaml", "logs-rotation-follows-descriptor.yaml", "logs-rotation-demo",
     "waiting for log shipping"),
], ids=["separate-volumes", "lossy-shipper", "rotation-follows-descriptor"])
def test_broken_log_shipping(namespace, broken, scenario, overlay, pod_name, match):
    docs = namespace.deploy(scenario, CLASSIC, f"controls/{overlay}")
    expected = logs.expected_lines(docs, pod_name)
    pod = namespace.pod(pod_name).wait_ready()
    with broken(match):
        _, shipped = logs.wait_shipped(pod, expected)
        logs.assert_every_line_once_in_order(shipped, expected)


def deploy_proxy(namespace, overlay):
    namespace.deploy("proxy.yaml", CLASSIC, f"controls/{overlay}")
    return namespace.pod("proxy-demo").wait_ready()


def test_proxy_pointed_at_the_wrong_port(namespace, broken):
    pod = deploy_proxy(namespace, "proxy-wrong-port.yaml")
    with broken(r"proxy forwarding to an app that already answers.*\n.*HTTP 502"), proxy.proxy_and_app(pod):
        pass


@pytest.mark.parametrize("overlay, check, match", [
    ("proxy-no-headers.yaml", proxy.assert_proxy_headers, "proxy headers broken"),
    ("proxy-intercepts-errors.yaml", lambda through, app: proxy.assert_same_answer(through, app, "/no/such/page"),
     "proxy pass-through broken: GET /no/such/page"),
    ("proxy-rate-limited.yaml", lambda through, _app: proxy.assert_concurrent_requests(through),
     "proxy concurrency broken"),
], ids=["no-headers", "intercepts-errors", "rate-limited"])
def test_broken_proxy(namespace, broken, overlay, check, match):
    pod = deploy_proxy(namespace, overlay)
    with proxy.proxy_and_app(pod) as (through, app), broken(match):
        check(through, app)


def deploy_reload(namespace, overlay):
    namespace.deploy("reload.yaml", CLASSIC, f"controls/{overlay}")
    pod = namespace.pod("reload-demo").wait_ready()
    return pod, config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)


def test_reloader_without_a_shared_process_namespace(namespace, broken):
    pod, timeout = deploy_reload(namespace, "reload-no-shared-pids.yaml")
    with pod.http(80) as http:
        new_version = reload.edit_config(namespace)
        with broken("waiting for config reload: nginx to serve the edit"):
            reload.wait_served(pod, http, new_version, timeout)


def test_pinned_file_without_subpath(namespace, broken):
    pod, timeout = deploy_reload(namespace, "reload-pinned-without-subpath.yaml")
    new_version = reload.edit_config(namespace)
    reload.wait_volume_shows(pod, new_version, timeout)
    with broken("subPath snapshot broken"):
        reload.assert_subpath_keeps_old_content(pod, new_version)


def test_shipper_without_sigterm_trap_does_not_flush(namespace, broken):
    pod = shutdown.deploy_with_buffered_lines(namespace, CLASSIC, "controls/shutdown-shipper-without-trap.yaml")
    deletion = delete_observed(pod, follow=["shipper"])
    with broken("graceful shutdown broken: the shipper did not flush on SIGTERM"):
        shutdown.assert_flushed_before_the_deadline(deletion)


def test_classic_sidecar_does_not_outlive_the_app(namespace, broken):
    pod = shutdown.deploy_with_buffered_lines(namespace, CLASSIC, "controls/shutdown-slow-last-words.yaml")
    deletion = delete_observed(pod, follow=["shipper"])
    with broken("sidecar outliving the app broken"):
        shutdown.assert_sidecar_outlived_the_app(deletion)


def test_trapped_sidecar_is_not_killed_at_the_deadline(namespace, broken):
    namespace.deploy("shutdown-untrapped.yaml", CLASSIC, "controls/shutdown-stubborn-with-trap.yaml")
    deletion = delete_observed(namespace.pod("shutdown-untrapped").wait_ready(), follow=["stubborn"])
    with broken("SIGKILL at the end of the grace period broken: stubborn exited 0"):
        shutdown.assert_killed_at_the_deadline(deletion, "stubborn")


def test_setup_as_a_regular_container_does_not_finish_first(namespace, broken):
    namespace.deploy("ordering.yaml", CLASSIC, "controls/ordering-setup-not-init.yaml")
    pod = namespace.pod("ordering-demo")
    pod.wait_terminated("setup")
    with broken("init ordering broken"):
        ordering.assert_init_finished_before_main(pod)


def test_classic_sidecar_does_not_start_first(namespace, broken):
    namespace.deploy("ordering.yaml", CLASSIC)
    pod = namespace.pod("ordering-demo").wait_ready()
    with broken("native sidecar start order broken"):
        ordering.assert_sidecar_started_before_main(pod)


def test_job_with_classic_sidecar_does_not_complete(namespace, broken):
    namespace.deploy("job.yaml", CLASSIC)
    with broken("waiting for job completion"):
        ordering.wait_job_complete(namespace, CONTROL_JOB_COMPLETE)


def test_job_with_native_sidecar_is_not_held_open(namespace, broken, cluster):
    if not cluster.supports_native_sidecars:
        pytest.skip("native sidecars are not supported by this server")
    namespace.deploy("job.yaml", "native")
    pod = wait_until(f"job {ordering.JOB}'s pod", lambda: namespace.job_pod(ordering.JOB), bool, JOB_POD,
                     namespace.evidence)
    pod.wait_terminated("main")
    with broken("expected job held open by its sidecar"):
        ordering.assert_job_stays_incomplete(namespace, pod)
