"""Negative controls: the suite's checks, run on Pods broken in exactly one behaviour, in
both sidecar styles unless the check exists in one style only."""
import copy
import dataclasses
from datetime import timedelta

import pytest

from helpers.checks import logs, network, ordering, proxy, reload, shutdown
from helpers.kube.deletion import delete_observed
from helpers.kube.kubelet import config_reload_timeout
from helpers.kube.pods import is_ready, is_running, status_in
from helpers.kube.timeouts import CONTROL_JOB_COMPLETE, KILL_LATENESS

LATE_BY = timedelta(seconds=KILL_LATENESS + 3)  # beyond the SIGKILL check's upper tolerance


def test_sidecar_in_a_separate_pod_shares_nothing(namespace, broken, sidecar_style):
    namespace.deploy("network.yaml", sidecar_style, "controls/network-separate-pods.yaml")
    app, sidecar = namespace.pod("network-demo").wait_ready(), namespace.pod("network-sidecar").wait_ready()
    with broken("network", "shared Pod IP"):
        network.assert_eth0_has_pod_ip(app.read().status.pod_ip, [(app, "app"), (sidecar, "sidecar")])
    with broken("network", "shared network namespace"):
        network.assert_same_network_namespace((app, "app"), (sidecar, "sidecar"))
    with broken("network", "shared loopback"):
        network.assert_reaches_app_on_loopback(sidecar, "sidecar", app.name)
    with broken("network", "shared sockets"):
        network.assert_sees_app_socket(sidecar, "sidecar")


def test_a_neighbour_inside_the_pod_is_not_private(namespace, broken, sidecar_style):
    """The privacy checks, given the Pod's own sidecar as "another Pod", must see it share."""
    namespace.deploy("network.yaml", sidecar_style)
    pod = namespace.pod("network-demo").wait_ready()
    with broken("network", "network namespace private to the Pod"):
        network.assert_other_pod_has_its_own_namespace((pod, "app"), (pod, "sidecar"))
    with broken("network", "loopback private to the Pod"):
        network.assert_loopback_refused_elsewhere(pod, "sidecar")
    with broken("network", "sockets private to the Pod"):
        network.assert_socket_hidden_elsewhere(pod, "sidecar")


@pytest.mark.parametrize("scenario, overlay, pod_name, check", [
    ("logs.yaml", "logs-separate-volumes.yaml", "logs-demo", "log lines reach the shipper"),
    ("logs.yaml", "logs-lossy-shipper.yaml", "logs-demo", "every line once, in order"),
    ("logs-rotation.yaml", "logs-rotation-follows-descriptor.yaml", "logs-rotation-demo",
     "log lines reach the shipper"),
], ids=["separate-volumes", "lossy-shipper", "rotation-follows-descriptor"])
def test_broken_log_shipping(namespace, broken, sidecar_style, scenario, overlay, pod_name, check):
    docs = namespace.deploy(scenario, sidecar_style, f"controls/{overlay}")
    expected = logs.expected_lines(docs, pod_name)
    pod = namespace.pod(pod_name).wait_ready()
    with broken("logs", check):
        _, shipped = logs.wait_shipped(pod, expected)
        logs.assert_every_line_once_in_order(shipped, expected)


def deploy_proxy(namespace, style, overlay):
    namespace.deploy("proxy.yaml", style, f"controls/{overlay}")
    return namespace.pod("proxy-demo").wait_ready()


def test_proxy_pointed_at_the_wrong_port(namespace, broken, sidecar_style):
    pod = deploy_proxy(namespace, sidecar_style, "proxy-wrong-port.yaml")
    with broken("proxy", "proxy forwards to the app"), proxy.proxy_and_app(pod):
        pass


@pytest.mark.parametrize("overlay, check, name", [
    ("proxy-no-headers.yaml", proxy.assert_proxy_headers, "proxy headers"),
    ("proxy-intercepts-errors.yaml",
     lambda through, app: proxy.assert_same_answer(through, app, "/no/such/page", (404, "not found: /no/such/page\n")),
     "answers pass through unchanged"),
    ("proxy-rate-limited.yaml", lambda through, _app: proxy.assert_concurrent_requests(through),
     "concurrent requests"),
], ids=["no-headers", "intercepts-errors", "rate-limited"])
def test_broken_proxy(namespace, broken, sidecar_style, overlay, check, name):
    pod = deploy_proxy(namespace, sidecar_style, overlay)
    with proxy.proxy_and_app(pod) as (through, app), broken("proxy", name):
        check(through, app)


def deploy_reload(namespace, style, overlay=None):
    namespace.deploy("reload.yaml", style, f"controls/{overlay}" if overlay else None)
    pod = namespace.pod("reload-demo").wait_ready()
    return pod, config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)


def test_reloader_without_a_shared_process_namespace(namespace, broken, sidecar_style):
    pod, timeout = deploy_reload(namespace, sidecar_style, "reload-no-shared-pids.yaml")
    with pod.http(80) as http:
        new_version = reload.edit_config(namespace)
        with broken("reload", "nginx reloaded on the change"):
            reload.wait_served(pod, http, new_version, timeout)


def test_reloader_that_signals_nothing_or_another_process_is_caught(namespace, broken, sidecar_style):
    """The real reload, its reloader's lines judged as if it had sent no SIGHUP (nginx reloaded
    by something else), or had sent it to a process other than the master from before."""
    pod, timeout = deploy_reload(namespace, sidecar_style)
    before = reload.Incarnation.of(pod)
    new_version = reload.edit_config(namespace)
    reload.wait_volume_shows(pod, new_version, timeout)
    with pod.http(80) as http:
        reload.wait_served(pod, http, new_version, timeout)
    reload.assert_reloaded_not_restarted(pod, before)
    signals = reload.sighups(pod)
    elsewhere = [line.replace(f"nginx master {before.master_pid}", f"nginx master {before.master_pid + 1}")
                 for line in signals]
    for judged in ([], elsewhere):
        with broken("reload", "reload without a restart"):
            reload.assert_signalled(judged, before)


def test_reloader_that_restarts_nginx(namespace, broken, sidecar_style):
    pod, timeout = deploy_reload(namespace, sidecar_style, "reload-restarts-nginx.yaml")
    before = reload.Incarnation.of(pod)
    new_version = reload.edit_config(namespace)
    reload.wait_volume_shows(pod, new_version, timeout)
    # the restarted nginx serves the edit too (a port-forward opened before the restart dies with it)
    pod.wait_for("web restarted and Ready",
                 lambda current: is_ready(current) and status_in(current, "web").restart_count >= 1)
    with pod.http(80) as http:
        reload.wait_served(pod, http, new_version, timeout)
    with broken("reload", "reload without a restart"):
        reload.assert_reloaded_not_restarted(pod, before)


def test_pinned_file_without_subpath(namespace, broken, sidecar_style):
    pod, timeout = deploy_reload(namespace, sidecar_style, "reload-pinned-without-subpath.yaml")
    new_version = reload.edit_config(namespace)
    reload.wait_volume_shows(pod, new_version, timeout)
    with broken("reload", "subPath snapshot"):
        reload.assert_subpath_keeps_old_content(pod, new_version)


@pytest.mark.parametrize("overlay, check", [
    ("shutdown-shipper-without-trap.yaml", "flush on SIGTERM"),
    ("shutdown-slow-flush.yaml", "flush promptly"),
], ids=["without-trap", "slow-flush"])
def test_broken_flush_on_sigterm(namespace, broken, sidecar_style, overlay, check):
    pod = shutdown.deploy_with_buffered_lines(namespace, sidecar_style, f"controls/{overlay}")
    deletion = delete_observed(pod, follow=shutdown.FOLLOWED)
    with broken("shutdown", check):
        shutdown.assert_flushed_promptly(deletion)


@pytest.mark.sidecar_styles("classic")
def test_classic_sidecar_does_not_outlive_the_app(namespace, broken, sidecar_style):
    pod = shutdown.deploy_with_buffered_lines(namespace, sidecar_style)
    deletion = delete_observed(pod, follow=shutdown.FOLLOWED)
    with broken("shutdown", "sidecar outlives the app"):
        shutdown.assert_sidecar_outlived_the_app(deletion)


@pytest.mark.parametrize("overlay, container, check", [
    ("shutdown-untrapped-stubborn-with-trap.yaml", "stubborn", shutdown.assert_killed_at_the_deadline),
    ("shutdown-untrapped-app-without-trap.yaml", "app", shutdown.assert_exited_on_sigterm),
], ids=["stubborn-with-trap", "app-without-trap"])
def test_broken_sigterm_handling(namespace, broken, sidecar_style, overlay, container, check):
    namespace.deploy("shutdown-untrapped.yaml", sidecar_style, f"controls/{overlay}")
    deletion = delete_observed(namespace.pod("shutdown-untrapped").wait_ready(), follow=[container])
    name = ("SIGKILL at the end of the grace period" if check is shutdown.assert_killed_at_the_deadline
            else "SIGTERM delivered to every container")
    with broken("shutdown", name):
        check(deletion, container)


def test_a_kill_long_after_the_deadline_is_late(namespace, broken, sidecar_style):
    """The upper bound of the SIGKILL check: the real kill, judged against a grace period
    that ended LATE_BY earlier than the Pod's (as a kubelet killing that late would look)."""
    namespace.deploy("shutdown-untrapped.yaml", sidecar_style)
    deletion = delete_observed(namespace.pod("shutdown-untrapped").wait_ready(), follow=["stubborn"])
    shutdown.assert_killed_at_the_deadline(deletion, "stubborn")
    late = dataclasses.replace(deletion, kill_started=deletion.kill_started - LATE_BY)
    with broken("shutdown", "SIGKILL at the end of the grace period"):
        shutdown.assert_killed_at_the_deadline(late, "stubborn")


def test_setup_as_a_regular_container_does_not_finish_first(namespace, broken, sidecar_style):
    namespace.deploy("ordering.yaml", sidecar_style, "controls/ordering-setup-not-init.yaml")
    pod = namespace.pod("ordering-demo")
    pod.wait_terminated("setup")
    pod.wait_for("main running", lambda current: is_running(current, "main"))
    with broken("ordering", "init container finishes first"):
        ordering.assert_init_finished_before_main(pod)


def test_main_not_gated_by_the_helpers_startup_probe(namespace, broken, sidecar_style):
    """Classic: nothing gates main. Native: a helper without its startupProbe (what a kubelet
    ignoring startupProbes does) lets main start while the gate is shut."""
    overlay = "controls/ordering-helper-without-probe.yaml" if sidecar_style == "native" else None
    pod, gate = ordering.start_behind_gate(namespace, sidecar_style, overlay)
    with broken("ordering", "startupProbe gates main"):
        ordering.assert_sidecar_started_before_main(pod, gate)


@pytest.mark.sidecar_styles("classic")
def test_job_with_classic_sidecar_does_not_complete(namespace, broken, sidecar_style):
    ordering.deploy_job_until_main_exits(namespace, sidecar_style)
    with broken("ordering", "Job with a native sidecar completes"):
        ordering.wait_job_complete(namespace, CONTROL_JOB_COMPLETE)


@pytest.mark.sidecar_styles("native")
def test_job_with_native_sidecar_is_not_held_open(namespace, broken, sidecar_style):
    pod = ordering.deploy_job_until_main_exits(namespace, sidecar_style)
    with broken("ordering", "Job with a classic sidecar is held open"):
        ordering.assert_job_stays_incomplete(namespace, pod)


@pytest.mark.sidecar_styles("native")
def test_a_sidecar_stopped_before_main_is_caught(namespace, broken, sidecar_style):
    """The real completed Job, with its sidecar's end moved to 2 s before main's (as a kubelet
    that stopped the sidecar first would show it)."""
    namespace.deploy("job.yaml", sidecar_style)
    state = ordering.wait_job_complete(namespace)
    ordering.assert_sidecar_stopped_after_main(state)
    early = copy.deepcopy(state.pod)
    helper = status_in(early, "helper").state.terminated
    helper.finished_at = status_in(early, "main").state.terminated.finished_at - timedelta(seconds=2)
    with broken("ordering", "native sidecar stopped after main"):
        ordering.assert_sidecar_stopped_after_main(dataclasses.replace(state, pod=early))


@pytest.mark.sidecar_styles("native")
def test_native_sidecar_restarted_once_is_caught(namespace, broken, sidecar_style):
    pod, gate = ordering.start_behind_gate(namespace, sidecar_style, "controls/ordering-helper-exits-once.yaml")
    pod.wait_for("helper restarted once", lambda now: status_in(now, "helper").restart_count >= 1
                 and is_running(now, "helper"))
    with broken("ordering", "native sidecar keeps running"):
        ordering.assert_sidecar_started_before_main(pod, gate)
