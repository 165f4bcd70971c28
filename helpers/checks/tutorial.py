"""The seed tutorial's examples as written (manifests/tutorial/): what each one claims, checked.

An example works when it does what the tutorial says it does. It is broken when one of its
claims fails (CheckFailed), or when a wait meets a state its Pod will not leave by itself
(CannotHappen: a container in CrashLoopBackOff, say). Anything else (the API, the test's own
setup, a ConfigMap the kubelet never delivers) is an error of the run, not a verdict.

The examples run once, as written: deployed in the "classic" style, which leaves Pods
without the sidecars annotation as they are.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from helpers.checks.failure import Behaviour, CheckFailed, precondition
from helpers.kube.diagnostics import container_logs
from helpers.kube.kubelet import config_reload_timeout
from helpers.kube.pods import STUCK_REASONS, all_statuses, is_ready, is_running
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import CannotHappen, WaitTimeout, holds_for, wait_until

TUTORIAL = Behaviour("tutorial")
# its checks, each named once: the check raises with it, its negative controls expect it
INIT_CONTAINER_WAITS_FOR_THE_DATABASE = TUTORIAL.check("init container waits for the database")
KUBECTL_LOGS_OF_THE_SIDECAR_SHOW_THE_APP_S_LINES = TUTORIAL.check("kubectl logs of the sidecar show the app's lines")
NGINX_ANSWERS_ON_PORT_80 = TUTORIAL.check("nginx answers on port 80")
NGINX_PROXIES_TO_THE_APP_ON_LOCALHOST_8080 = TUTORIAL.check("nginx proxies to the app on localhost:8080")
NGINX_SERVES_THE_CONFIGMAP = TUTORIAL.check("nginx serves the ConfigMap")
SAME_POD_IP_IN_BOTH_CONTAINERS = TUTORIAL.check("same Pod IP in both containers")
SHARED_VOLUME = TUTORIAL.check("shared volume")
SIDECAR_CURLS_THE_APP = TUTORIAL.check("sidecar curls the app")
SIDECAR_REACHES_THE_APP = TUTORIAL.check("sidecar reaches the app")
SIDECAR_REACHES_THE_APP_ON_LOCALHOST_8080 = TUTORIAL.check("sidecar reaches the app on localhost:8080")
THE_PROBE_WAITS_FOR_THE_DATABASE = TUTORIAL.check("the probe waits for the database")
THE_SIDECAR_PRINTS_THE_APP_S_FILE = TUTORIAL.check("the sidecar prints the app's file")
STYLE = "classic"  # leaves the examples' Pods untouched
WORKS = "works"
BROKEN = "broken"

# Bounds of the tutorial's waits: no example takes more than a minute.
POD_RUNNING = Timeout("tutorial Pod ready (every container running)", 60)
# A container that exits is restarted at once, then after a 10 s back-off: CrashLoopBackOff shows within this.
SETTLING = Timeout("a restarting container's crash loop shows", 30, poll=1)
EXITING = Timeout("a container of a broken example exits (its one-shot command ending)", 5, poll=0.5)
SERVING = Timeout("tutorial Pod answering through the port-forward", 30, poll=0.5)
LOG_LINES = Timeout("logging sidecar printed two of the app's lines (it writes one every 5 s)", 20, poll=1)
NEXT_CURL = Timeout("monitoring sidecar's next curl once the app runs (it curls every 10 s)", 25, poll=1)
RELOADED = Timeout("nginx serving the edit once the volume shows it (the reloader sleeps 5 s a turn)", 15, poll=0.5)
INIT_WAITING = Timeout("init container running and saying it waits for the database", 20, poll=1)
MAIN_HELD = Timeout("main app not started while the init container waits (two of its 5 s turns)", 10, poll=1)

APP_LINE = " INFO Application is running"
NGINX_PAGE = "<h1>Welcome to nginx!</h1>"  # once in the stock page of nginx
CURL_ERROR = "curl: ("
PROXIED_PAGE = "Hello from main application container\n"
RELOAD_CONFIG_MAP, RELOAD_KEY = "nginx-config", "default.conf"
FIRST_BODY, EDITED_BODY = "Configuration Reload Demo", "Updated Configuration Loaded"
WAITING_LINE = "Waiting for database..."
DATABASE = "mysql-service"


def running(pod) -> None:
    """Wait for the Pod to be Ready; a container that cannot get there raises CannotHappen."""
    pod.wait_for("Ready", is_ready, POD_RUNNING)


@contextmanager
def serving(pod) -> Iterator:
    """An HTTP client on the Pod's port 80 once it answers; one that never does is a broken claim."""
    with ExitStack() as stack:
        with TUTORIAL.waiting(NGINX_ANSWERS_ON_PORT_80):
            http = stack.enter_context(pod.http(80, timeout=SERVING))
        yield http


def texts(lines) -> list[str]:
    return [line.text for line in lines]


def printed(pod, container: str) -> str:
    """The distinct lines `container` printed, in order, as one line."""
    return "; ".join(dict.fromkeys(text.strip() for text in texts(pod.log(container)) if text.strip())) or "nothing"


# --- the examples --------------------------------------------------------------------

def shared_network(namespace, pod) -> None:
    """Both containers run, the sidecar got the app's page from localhost:8080, and `ip addr`
    shows the Pod IP in each container."""
    running(pod)
    said = printed(pod, "sidecar-proxy")
    TUTORIAL.require(NGINX_PAGE in said, SIDECAR_REACHES_THE_APP,
                     "sidecar-proxy's `wget -qO- http://localhost:8080` to print the app's page", said)
    pod_ip = pod.read().status.pod_ip
    for container in ("main-app", "sidecar-proxy"):
        shown = pod.exec(container, ["ip", "addr"], check=False)
        TUTORIAL.require(shown.exit_code == 0 and pod_ip in shown.stdout, SAME_POD_IP_IN_BOTH_CONTAINERS,
                         f"`ip addr` in {container} to show the Pod IP {pod_ip}", shown.describe())


def shared_volume(namespace, pod) -> None:
    """Both containers run, and a line main-app appends to /var/log/app.log is in log-sidecar's
    /var/log/app.log."""
    running(pod)
    pod.exec("main-app", ["sh", "-c", "echo tutorial check >> /var/log/app.log"])
    seen = pod.exec("log-sidecar", ["cat", "/var/log/app.log"], check=False)
    TUTORIAL.require("tutorial check" in seen.stdout, SHARED_VOLUME, "log-sidecar to read what main-app wrote"
                     " to /var/log/app.log", seen.describe())


def curl_results(pod) -> list[str]:
    """What each curl of the monitoring sidecar got, in order: the app's page or curl's error.

    Read as plain text: curl's progress meter prints carriage returns, on which the timestamped
    log reader (kube.logs) would split its lines.
    """
    text = container_logs(pod.cluster.core, pod.namespace, pod.name, "monitoring-sidecar", tail=None)
    return [NGINX_PAGE if NGINX_PAGE in line else line[line.index(CURL_ERROR):].strip()
            for line in text.split("\n") if NGINX_PAGE in line or CURL_ERROR in line]


def localhost(namespace, pod) -> None:
    """The monitoring sidecar's first curl once the app runs gets the app's page."""
    running(pod)
    before = len(curl_results(pod))  # curls made before the app ran prove nothing
    with TUTORIAL.waiting(SIDECAR_CURLS_THE_APP):
        tried = wait_until("monitoring-sidecar's next curl of http://localhost:8080, the app running",
                           lambda: curl_results(pod)[before:], bool, NEXT_CURL, pod.report)
    TUTORIAL.require(tried[0] == NGINX_PAGE, SIDECAR_REACHES_THE_APP_ON_LOCALHOST_8080,
                     "monitoring-sidecar's `curl http://localhost:8080` to get the app's page", tried[0])


def logging_sidecar(namespace, pod) -> None:
    """The sidecar's log shows the app's lines, and each is in the app's /var/log/app.log."""
    running(pod)

    def shipped() -> list[str]:
        return [text for text in texts(pod.log("logging-sidecar")) if text.endswith(APP_LINE)]

    with TUTORIAL.waiting(KUBECTL_LOGS_OF_THE_SIDECAR_SHOW_THE_APP_S_LINES):
        lines = wait_until("logging-sidecar to print two of the app's lines", shipped,
                           lambda found: len(found) >= 2, LOG_LINES, pod.report)
    written = pod.exec("main-application", ["cat", "/var/log/app.log"]).stdout.splitlines()
    TUTORIAL.require(set(lines) <= set(written), THE_SIDECAR_PRINTS_THE_APP_S_FILE,
                     "each line logging-sidecar printed to be in main-application's /var/log/app.log",
                     f"printed {lines}; the file has {written}")


def nginx_reverse_proxy(namespace, pod) -> None:
    """GET / on nginx's port 80 answers the Python app's page."""
    running(pod)
    with serving(pod) as http:
        body = http.get("/").text
    TUTORIAL.require(body == PROXIED_PAGE, NGINX_PROXIES_TO_THE_APP_ON_LOCALHOST_8080,
                     f"curl through port 80 to answer {PROXIED_PAGE!r}", repr(body))


def config_reload(namespace, pod) -> None:
    """nginx serves the first text, then, once the volume shows the edit, the edited one."""
    running(pod)
    with serving(pod) as http:
        first = http.get("/").text
        TUTORIAL.require(first == FIRST_BODY, NGINX_SERVES_THE_CONFIGMAP, f"{FIRST_BODY!r} at first", repr(first))
        config = namespace.config_map_data(RELOAD_CONFIG_MAP)[RELOAD_KEY]
        precondition(FIRST_BODY in config, f"ConfigMap {RELOAD_CONFIG_MAP} holds {FIRST_BODY!r}")
        namespace.update_config_map(RELOAD_CONFIG_MAP, {RELOAD_KEY: config.replace(FIRST_BODY, EDITED_BODY)})
        # The kubelet's delivery is the cluster's part (the reload suite checks it): not a verdict.
        delivery = config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)
        pod.wait_file_contains("nginx-main", "the ConfigMap volume to show the edit",
                               f"/etc/nginx/conf.d/{RELOAD_KEY}", EDITED_BODY, delivery)
        try:
            wait_until("nginx to serve the edit", lambda: http.get("/").text, lambda body: body == EDITED_BODY,
                       RELOADED, pod.report)
        except WaitTimeout as exc:
            raise CheckFailed(TUTORIAL.marker, "the sidecar reloads nginx on the edit",
                              f"{EDITED_BODY!r} within {RELOADED.seconds:g}s of the volume showing it",
                              f"still {exc.last_seen}; config-reloader printed: {printed(pod, 'config-reloader')}"
                              ) from exc


def init_container(namespace, pod) -> None:
    """The init container runs and waits for the database (the only complaint of its probe
    is that mysql-service cannot be reached), and main-app does not start meanwhile."""
    def waiting_for_database(seen) -> bool:
        return is_running(seen, "wait-for-database")

    pod.wait_for("init container wait-for-database running", waiting_for_database, INIT_WAITING)
    with TUTORIAL.waiting(INIT_CONTAINER_WAITS_FOR_THE_DATABASE):
        said = wait_until("wait-for-database to say it waits", lambda: texts(pod.log("wait-for-database")),
                          lambda lines: WAITING_LINE in lines, INIT_WAITING, pod.report)
    # The probe's first complaint is printed before its first "Waiting" line: judged before the hold.
    other = [text for text in said if text.strip() and text != WAITING_LINE and DATABASE not in text]
    TUTORIAL.require(not other, THE_PROBE_WAITS_FOR_THE_DATABASE,
                     f"`nc -z {DATABASE} 3306` to fail only because {DATABASE} cannot be reached",
                     "; ".join(other[:1]))
    with TUTORIAL.waiting(INIT_CONTAINER_WAITS_FOR_THE_DATABASE):
        holds_for("main-app not started", lambda: pod.status("main-app").state,
                  lambda state: state.running is None and state.terminated is None, MAIN_HELD, pod.report)


@dataclass(frozen=True)
class Example:
    """One example: its manifest (manifests/tutorial/<name>.yaml), its Pod, and its check."""

    name: str
    pod: str
    check: Callable

    @property
    def manifest(self) -> str:
        return f"tutorial/{self.name}.yaml"


EXAMPLES = {example.name: example for example in (  # in the tutorial's order
    Example("shared-network", "sidecar-demo", shared_network),
    Example("shared-volume", "shared-volume-demo", shared_volume),
    Example("localhost", "localhost-demo", localhost),
    Example("logging-sidecar", "logging-sidecar-demo", logging_sidecar),
    Example("nginx-reverse-proxy", "nginx-sidecar-demo", nginx_reverse_proxy),
    Example("config-reload", "config-reload-sidecar", config_reload),
    Example("init-container", "init-container-demo", init_container),
)}


# --- verdicts ------------------------------------------------------------------------

def crash_loops(pod) -> str:
    """Each container in a state it will not leave (a crash loop...), how it last exited and
    the last line it printed; empty when there is none."""
    found = []
    for status in all_statuses(pod.read()):
        waiting = status.state and status.state.waiting
        if waiting and waiting.reason in STUCK_REASONS:
            found.append(f"container {status.name}: {waiting.reason}")
            last = status.last_state and status.last_state.terminated
            if last:
                said = container_logs(pod.cluster.core, pod.namespace, pod.name, status.name, tail=1).strip()
                found[-1] += f" (last exit {last.exit_code}), last line: {said or '(none)'}"
    return "; ".join(found)


def settled(pod) -> str:
    """A broken example's root cause, whichever step noticed first: if a container exits
    within EXITING (a one-shot command may still be printing its error), wait (SETTLING) for
    the crash loop it is then in, so the verdict does not depend on which look came first;
    empty when no container exits."""
    def exited(current) -> bool:
        return any(s.restart_count or (s.state and s.state.terminated) for s in all_statuses(current))

    try:
        wait_until(f"{pod.name}: a container exited", pod.read, exited, EXITING)
        return wait_until(f"{pod.name}: a crash loop named", lambda: crash_loops(pod), bool, SETTLING)
    except WaitTimeout:
        return ""


def verdict(namespace, name: str) -> str:
    """Run example `name` as written: "works", or "broken: <why>" (a crash loop, when the
    example's containers are in one, else what its check saw)."""
    example = EXAMPLES[name]
    namespace.deploy(example.manifest, STYLE)
    pod = namespace.pod(example.pod)
    try:
        example.check(namespace, pod)
    except CheckFailed as exc:
        why = settled(pod) or f"{exc.check}: expected {exc.awaited}; saw {exc.seen}"
    except CannotHappen as exc:
        why = settled(pod) or exc.reason
    else:
        return WORKS
    return f"{BROKEN}: {' '.join(why.split())}"


@dataclass(frozen=True)
class Expected:
    """What an example is expected to do: work, or break for `why` (the cluster then shows `sign`)."""

    why: str = ""  # empty: the example works
    sign: str = ""  # broken only: words the observed reason contains

    def __str__(self) -> str:
        return f"{BROKEN}: {self.why}" if self.why else WORKS


def assert_as_expected(name: str, observed: str, expected: Expected) -> None:
    """The observed verdict is the expected one (strict: an example that starts working fails too)."""
    if not expected.why:
        assert observed == WORKS, f"tutorial example {name} is {observed}"
        return
    assert observed != WORKS, f"tutorial example {name} now works: update its expectation (was: {expected})"
    assert expected.sign in observed, (f"tutorial example {name} is broken in another way than expected"
                                       f" ({expected}, with {expected.sign!r} in the reason): {observed}")
