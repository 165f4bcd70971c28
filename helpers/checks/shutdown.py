"""Graceful shutdown: trapped sidecars flush promptly, untrapped ones are killed when the
grace period ends (not before, not long after), native ones outlive the app."""
from datetime import timedelta

from helpers.checks.events import Timeline, before, parse
from helpers.checks.failure import Behaviour, precondition
from helpers.kube.timeouts import GRACE_TOLERANCE, Timeout
from helpers.kube.waits import wait_until

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
# Data moving between containers
APP_OUTPUT = Timeout("app printed its startup lines", 30, poll=0.5)
# A SIGKILL may come this much after the grace period: the kubelet gives a container at
# least 2 s after its SIGTERM (minimumGracePeriodInSeconds; upstream's sidecar e2e tests
# allow "30 seconds + 2 second minimum grace"), plus GRACE_TOLERANCE.
KILL_LATENESS = 2.0 + GRACE_TOLERANCE
FLUSH_BOUND = 2.0  # a trapped sidecar ships its buffer and exits within this of its SIGTERM (in-Pod clock)

SHUTDOWN = Behaviour("shutdown")
# its checks, each named once: the check raises with it, its negative controls expect it
FLUSH_ON_SIGTERM = SHUTDOWN.check("flush on SIGTERM")
FLUSH_PROMPTLY = SHUTDOWN.check("flush promptly")
SIDECAR_OUTLIVES_THE_APP = SHUTDOWN.check("sidecar outlives the app")
SIGKILL_AT_THE_END_OF_THE_GRACE_PERIOD = SHUTDOWN.check("SIGKILL at the end of the grace period")
SIGTERM_DELIVERED_TO_EVERY_CONTAINER = SHUTDOWN.check("SIGTERM delivered to every container")
APP_LINES = [f"app: line {i}" for i in range(1, 6)]
LAST_WORDS = ["app: SIGTERM received", *(f"app: after SIGTERM {i}" for i in range(1, 11)), "app: last words"]
FLUSHED = "shipper: flushed on SIGTERM"
TOLERANCE = timedelta(seconds=GRACE_TOLERANCE)
FOLLOWED = ["app", "shipper"]  # shutdown-demo's containers whose logs a deletion follows


def deploy_with_buffered_lines(namespace, style: str, overlay: str | None = None):
    """shutdown-demo with the app's lines written and still in the shipper's buffer."""
    namespace.deploy("shutdown/shutdown.yaml", style, overlay)
    pod = namespace.pod("shutdown-demo").wait_ready()
    wait_until("the app to write its lines", lambda: [line.text for line in pod.log("app")],
               lambda texts: texts == APP_LINES, APP_OUTPUT, pod.report)
    shipped_early = [line.text for line in pod.log("shipper") if line.text.startswith("shipped:")]
    precondition(shipped_early == [], f"the shipper still holds the app's lines in its buffer (shipped {shipped_early})")
    return pod


def shipped(deletion) -> list[str]:
    prefix = "shipped: "
    return [text[len(prefix):] for text in deletion.logs["shipper"].texts() if text.startswith(prefix)]


def timeline(deletion) -> Timeline:
    """The in-Pod events of every followed container."""
    return Timeline(event for follower in deletion.logs.values() for event in parse(follower.texts()))


def assert_flushed_promptly(deletion):
    """The shipper shipped the app's lines, said so and exited 0 within FLUSH_BOUND of its
    SIGTERM and before the grace period ended; return its "flushed" log line."""
    end = deletion.terminated("shipper")
    flushed = [line for line in deletion.logs["shipper"].lines if line.text == FLUSHED]
    lines = shipped(deletion)
    SHUTDOWN.require(flushed and end.exit_code == 0 and lines[:len(APP_LINES)] == APP_LINES
                     and lines == (APP_LINES + LAST_WORDS)[:len(lines)],
                     FLUSH_ON_SIGTERM, f"the shipper to ship the app's lines once, in order, say {FLUSHED!r}"
                     " and exit 0", f"shipped {lines}, flushed: {bool(flushed)}, exit {end.exit_code}")
    events = timeline(deletion)
    term, exited = events.at("shipper", "SIGTERM"), events.at("shipper", "exiting")
    SHUTDOWN.require(term is not None and exited is not None and 0 <= exited - term <= FLUSH_BOUND
                     and end.finished_at < deletion.grace_ends - TOLERANCE, FLUSH_PROMPTLY,
                     f"the shipper to exit within {FLUSH_BOUND:g}s of its SIGTERM and before the grace period"
                     f" ends ({deletion.grace_ends})", f"{events}; exit at {end.finished_at}")
    return flushed[0]


def assert_sidecar_outlived_the_app(deletion) -> None:
    """The shipper got SIGTERM only after the app had exited, and shipped every line the app
    wrote, the 3 s of lines it wrote after its own SIGTERM included."""
    events = timeline(deletion)
    SHUTDOWN.require(shipped(deletion) == APP_LINES + LAST_WORDS
                     and before(events.at("app", "exiting"), events.at("shipper", "SIGTERM")),
                     SIDECAR_OUTLIVES_THE_APP, "the shipper's SIGTERM after the app exited, and every app line"
                     " shipped", f"{events}; shipped {len(shipped(deletion))} of {len(APP_LINES + LAST_WORDS)}"
                     f" lines, last {(shipped(deletion) or [None])[-1]!r}")


def assert_killed_at_the_deadline(deletion, container: str) -> None:
    """`container` ignored SIGTERM and was SIGKILLed when the kubelet's grace period ended:
    not before it (GRACE_TOLERANCE), and not later than KILL_LATENESS after it."""
    end = deletion.terminated(container)
    SHUTDOWN.require(end.exit_code == 137 and deletion.grace_ends - TOLERANCE <= end.finished_at
                     <= deletion.grace_ends + timedelta(seconds=KILL_LATENESS), SIGKILL_AT_THE_END_OF_THE_GRACE_PERIOD,
                     f"{container} killed (exit 137) between {GRACE_TOLERANCE:g}s before and {KILL_LATENESS:g}s after"
                     f" the end of the grace period ({deletion.grace_ends}: the kubelet's Killing event"
                     f" {deletion.kill_started} + {deletion.grace_seconds}s)", f"exit {end.exit_code} at {end.finished_at}")


def assert_exited_on_sigterm(deletion, container: str) -> None:
    """`container` handled SIGTERM: exit 0 well before the grace period ended."""
    end = deletion.terminated(container)
    SHUTDOWN.require(end.exit_code == 0 and end.finished_at < deletion.grace_ends - TOLERANCE,
                     SIGTERM_DELIVERED_TO_EVERY_CONTAINER,
                     f"{container} to exit 0 on SIGTERM before the grace period ends ({deletion.grace_ends})",
                     f"exit {end.exit_code} at {end.finished_at}")
