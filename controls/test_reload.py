"""Negative controls of config reload: the suite's checks of helpers/checks/reload.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""


from helpers.checks import reload
from helpers.kube.kubelet import config_reload_timeout
from helpers.kube.pods import is_ready, status_in


def deploy_reload(namespace, style, overlay=None):
    namespace.deploy("reload/reload.yaml", style, overlay)
    pod = namespace.pod("reload-demo").wait_ready()
    return pod, config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)


def test_reloader_without_a_shared_process_namespace(namespace, broken, sidecar_style):
    pod, timeout = deploy_reload(namespace, sidecar_style, "reload/controls/reload-no-shared-pids.yaml")
    with pod.http(80, keep_alive=False) as http:
        new_version = reload.edit_config(namespace)
        with broken(reload.NGINX_RELOADED_ON_THE_CHANGE):
            reload.wait_served(pod, http, new_version, timeout)


def test_reloader_that_signals_nothing_or_another_process_is_caught(namespace, broken, sidecar_style):
    """The real reload, its reloader's lines judged as if it had sent no SIGHUP (nginx reloaded
    by something else), or had sent it to a process other than the master from before."""
    pod, timeout = deploy_reload(namespace, sidecar_style)
    before = reload.Incarnation.of(pod)
    new_version = reload.edit_config(namespace)
    reload.wait_volume_shows(pod, new_version, timeout)
    with pod.http(80, keep_alive=False) as http:
        reload.wait_served(pod, http, new_version, timeout)
    reload.assert_reloaded_not_restarted(pod, before)
    signals = reload.sighups(pod)
    elsewhere = [line.replace(f"nginx master {before.master_pid}", f"nginx master {before.master_pid + 1}")
                 for line in signals]
    for judged in ([], elsewhere):
        with broken(reload.RELOAD_WITHOUT_A_RESTART):
            reload.assert_signalled(judged, before)


def test_reloader_that_restarts_nginx(namespace, broken, sidecar_style):
    pod, timeout = deploy_reload(namespace, sidecar_style, "reload/controls/reload-restarts-nginx.yaml")
    before = reload.Incarnation.of(pod)
    new_version = reload.edit_config(namespace)
    reload.wait_volume_shows(pod, new_version, timeout)
    # the restarted nginx serves the edit too (a port-forward opened before the restart dies with it)
    pod.wait_for("web restarted and Ready",
                 lambda current: is_ready(current) and status_in(current, "web").restart_count >= 1)
    with pod.http(80, keep_alive=False) as http:
        reload.wait_served(pod, http, new_version, timeout)
    with broken(reload.RELOAD_WITHOUT_A_RESTART):
        reload.assert_reloaded_not_restarted(pod, before)


def test_pinned_file_without_subpath(namespace, broken, sidecar_style):
    pod, timeout = deploy_reload(namespace, sidecar_style, "reload/controls/reload-pinned-without-subpath.yaml")
    new_version = reload.edit_config(namespace)
    reload.wait_volume_shows(pod, new_version, timeout)
    with broken(reload.SUBPATH_SNAPSHOT):
        reload.assert_subpath_keeps_old_content(pod, new_version)
