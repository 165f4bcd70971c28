"""Graceful shutdown: trapped sidecars flush in time, untrapped ones are killed, native ones outlive the app."""
from datetime import timedelta

from kube.timeouts import APP_OUTPUT, GRACE_TOLERANCE
from kube.waits import wait_until

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
    assert shipped_early == [], "the shipper should still hold the lines in its buffer"
    return pod


def shipped(deletion) -> list[str]:
    prefix = "shipped: "
    return [text[len(prefix):] for text in deletion.logs["shipper"].texts() if text.startswith(prefix)]


def assert_flushed_before_the_deadline(deletion):
    """The shipper shipped the app's lines, said so and exited 0 before the grace period ended;
    return its "flushed" log line."""
    end = deletion.terminated("shipper")
    last = deletion.logs["shipper"].lines[-1:]
    assert last and last[0].text == FLUSHED and end.exit_code == 0, (
        f"graceful shutdown broken: the shipper did not flush on SIGTERM (last line"
        f" {last[0].text if last else None!r}, exit {end.exit_code} at {end.finished_at},"
        f" grace period ended {deletion.deadline})")
    lines = shipped(deletion)
    assert lines[:len(APP_LINES)] == APP_LINES
    assert lines == (APP_LINES + LAST_WORDS)[:len(lines)], "only the app's lines, each once, in order"
    assert end.finished_at < deletion.deadline - TOLERANCE, (end, deletion.deadline)
    return last[0]


def assert_sidecar_outlived_the_app(deletion) -> None:
    """The shipper shipped what the app wrote on SIGTERM, and stopped after the app."""
    app, shipper = deletion.terminated("app"), deletion.terminated("shipper")
    assert shipped(deletion) == APP_LINES + LAST_WORDS and app.finished_at <= shipper.finished_at, (
        f"sidecar outliving the app broken: shipped {shipped(deletion)}; app stopped {app.finished_at},"
        f" shipper {shipper.finished_at}")


def assert_killed_at_the_deadline(deletion, container: str) -> None:
    """`container` ignored SIGTERM and was SIGKILLed when the grace period ended."""
    end = deletion.terminated(container)
    assert end.exit_code == 137 and end.finished_at >= deletion.deadline - TOLERANCE, (
        f"SIGKILL at the end of the grace period broken: {container} exited {end.exit_code} at"
        f" {end.finished_at}, the grace period ended {deletion.deadline}")
