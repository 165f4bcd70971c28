"""Graceful shutdown: trapped sidecars flush in time, untrapped ones are killed, native ones outlive the app."""
from datetime import timedelta

from checks.failure import Behaviour, precondition
from kube.timeouts import APP_OUTPUT, GRACE_TOLERANCE
from kube.waits import wait_until

SHUTDOWN = Behaviour("shutdown")
APP_LINES = [f"app: line {i}" for i in range(1, 6)]
LAST_WORDS = ["app: SIGTERM received", "app: last words"]
FLUSHED = "shipper: flushed on SIGTERM"
TOLERANCE = timedelta(seconds=GRACE_TOLERANCE)


def deploy_with_buffered_lines(namespace, style: str, overlay: str | None = None):
    """shutdown-demo with the app's lines written and still in the shipper's buffer."""
    namespace.deploy("shutdown.yaml", style, overlay)
    pod = namespace.pod("shutdown-demo").wait_ready()
    wait_until("the app to write its lines", lambda: [line.text for line in pod.log("app")],
               lambda texts: texts == APP_LINES, APP_OUTPUT, pod.report)
    shipped_early = [line.text for line in pod.log("shipper") if line.text.startswith("shipped:")]
    precondition(shipped_early == [], f"the shipper still holds the app's lines in its buffer (shipped {shipped_early})")
    return pod


def shipped(deletion) -> list[str]:
    prefix = "shipped: "
    return [text[len(prefix):] for text in deletion.logs["shipper"].texts() if text.startswith(prefix)]


def assert_flushed_before_the_deadline(deletion):
    """The shipper shipped the app's lines, said so and exited 0 before the grace period ended;
    return its "flushed" log line."""
    end = deletion.terminated("shipper")
    last = deletion.logs["shipper"].lines[-1:]
    lines = shipped(deletion)
    SHUTDOWN.require(last and last[0].text == FLUSHED and end.exit_code == 0
                     and lines[:len(APP_LINES)] == APP_LINES and lines == (APP_LINES + LAST_WORDS)[:len(lines)],
                     "flush on SIGTERM", f"the shipper to ship the app's lines once, in order, say {FLUSHED!r}"
                     " and exit 0", f"shipped {lines}, last line {last[0].text if last else None!r},"
                     f" exit {end.exit_code}")
    SHUTDOWN.require(end.finished_at < deletion.deadline - TOLERANCE, "flush within the grace period",
                     f"the shipper to exit before the grace period ends ({deletion.deadline})",
                     f"exit at {end.finished_at}")
    return last[0]


def assert_sidecar_outlived_the_app(deletion) -> None:
    """The shipper shipped what the app wrote on SIGTERM, and stopped after the app."""
    app, shipper = deletion.terminated("app"), deletion.terminated("shipper")
    SHUTDOWN.require(shipped(deletion) == APP_LINES + LAST_WORDS and app.finished_at <= shipper.finished_at,
                     "sidecar outlives the app", "the shipper to ship the app's last words and stop after the app",
                     f"shipped {shipped(deletion)}; app stopped {app.finished_at}, shipper {shipper.finished_at}")


def assert_killed_at_the_deadline(deletion, container: str) -> None:
    """`container` ignored SIGTERM and was SIGKILLed when the grace period ended."""
    end = deletion.terminated(container)
    SHUTDOWN.require(end.exit_code == 137 and end.finished_at >= deletion.deadline - TOLERANCE,
                     "SIGKILL at the end of the grace period",
                     f"{container} killed (exit 137) when the grace period ended ({deletion.deadline})",
                     f"exit {end.exit_code} at {end.finished_at}")


def assert_exited_on_sigterm(deletion, container: str) -> None:
    """`container` handled SIGTERM: exit 0 well before the grace period ended."""
    end = deletion.terminated(container)
    SHUTDOWN.require(end.exit_code == 0 and end.finished_at < deletion.deadline - TOLERANCE,
                     "SIGTERM delivered to every container",
                     f"{container} to exit 0 on SIGTERM before the grace period ends ({deletion.deadline})",
                     f"exit {end.exit_code} at {end.finished_at}")
