"""Scenario 5: what sidecars get to do when their Pod is deleted."""
from datetime import timedelta

import pytest

from helpers.deletion import delete_observed
from helpers.timeouts import APP_OUTPUT, GRACE_TOLERANCE
from helpers.waits import wait_until

pytestmark = pytest.mark.shutdown

APP_LINES = [f"app: line {i}" for i in range(1, 6)]
LAST_WORDS = ["app: SIGTERM received", "app: last words"]
FLUSHED = "shipper: flushed on SIGTERM"
TOLERANCE = timedelta(seconds=GRACE_TOLERANCE)


@pytest.fixture
def demo(namespace, sidecar_style):
    """shutdown-demo with the app's lines written and still in the shipper's buffer."""
    namespace.deploy("shutdown.yaml", sidecar_style)
    pod = namespace.pod("shutdown-demo").wait_ready()
    wait_until("the app to write its lines", lambda: [line.text for line in pod.log("app")],
               lambda texts: texts == APP_LINES, APP_OUTPUT, pod.report)
    shipped_early = [line.text for line in pod.log("shipper") if line.text.startswith("shipped:")]
    assert shipped_early == [], "the shipper should still hold the lines in its buffer"
    return pod


def shipped(deletion) -> list[str]:
    prefix = "shipped: "
    return [text[len(prefix):] for text in deletion.logs["shipper"].texts() if text.startswith(prefix)]


def test_trapped_sidecar_flushes_and_exits_before_the_grace_period_ends(demo, record_delay):
    deletion = delete_observed(demo, follow=["shipper"])

    lines = shipped(deletion)
    assert lines[:len(APP_LINES)] == APP_LINES
    assert lines == (APP_LINES + LAST_WORDS)[:len(lines)], "only the app's lines, each once, in order"
    flushed = deletion.logs["shipper"].lines[-1]
    assert flushed.text == FLUSHED
    end = deletion.terminated("shipper")
    assert end.exit_code == 0, end
    assert end.finished_at < deletion.deadline - TOLERANCE, (end, deletion.deadline)
    record_delay("trapped sidecar: delete -> buffer flushed", deletion.seconds_after_request(flushed.time))


@pytest.mark.sidecar_styles("native")
def test_native_sidecar_ships_what_the_app_writes_on_sigterm(demo):
    deletion = delete_observed(demo, follow=["shipper"])

    assert shipped(deletion) == APP_LINES + LAST_WORDS
    app, shipper = deletion.terminated("app"), deletion.terminated("shipper")
    assert app.finished_at <= shipper.finished_at, (app, shipper)


def test_sidecar_without_trap_is_killed_when_the_grace_period_ends(namespace, sidecar_style, record_delay):
    namespace.deploy("shutdown-untrapped.yaml", sidecar_style)
    pod = namespace.pod("shutdown-untrapped").wait_ready()

    deletion = delete_observed(pod, follow=["stubborn"])

    stubborn, app = deletion.terminated("stubborn"), deletion.terminated("app")
    assert stubborn.exit_code == 137, stubborn  # 128 + SIGKILL
    assert stubborn.finished_at >= deletion.deadline - TOLERANCE, (stubborn, deletion.deadline)
    assert app.exit_code == 0 and app.finished_at < deletion.deadline - TOLERANCE, app
    record_delay(f"untrapped sidecar: delete -> SIGKILL (grace {deletion.grace_seconds}s, 1s resolution)",
                 deletion.seconds_after_request(stubborn.finished_at))
