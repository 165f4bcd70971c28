"""Scenario 5: what sidecars get to do when their Pod is deleted."""
import pytest

from helpers.checks.shutdown import (
    FOLLOWED,
    assert_exited_on_sigterm,
    assert_flushed_promptly,
    assert_killed_at_the_deadline,
    assert_sidecar_outlived_the_app,
    deploy_with_buffered_lines,
)
from helpers.kube.deletion import delete_observed

pytestmark = pytest.mark.shutdown


@pytest.fixture
def demo(namespace, sidecar_style):
    """shutdown-demo with the app's lines written and still in the shipper's buffer."""
    return deploy_with_buffered_lines(namespace, sidecar_style)


def test_trapped_sidecar_flushes_and_exits_promptly_on_sigterm(demo, record_delay):
    deletion = delete_observed(demo, follow=FOLLOWED)

    flushed = assert_flushed_promptly(deletion)
    record_delay("trapped sidecar: delete -> buffer flushed", deletion.seconds_after_request(flushed.time))


# KEP-753; test/e2e_node/container_lifecycle_test.go: sidecars are terminated after all
# main containers have exited.
@pytest.mark.sidecar_styles("native")
def test_native_sidecar_gets_sigterm_after_the_app_exited_and_ships_all_it_wrote(demo):
    assert_sidecar_outlived_the_app(delete_observed(demo, follow=FOLLOWED))


def test_sidecar_without_trap_is_killed_when_the_grace_period_ends(namespace, sidecar_style, record_delay):
    namespace.deploy("shutdown/shutdown-untrapped.yaml", sidecar_style)
    pod = namespace.pod("shutdown-untrapped").wait_ready()

    deletion = delete_observed(pod, follow=["stubborn"])

    assert_killed_at_the_deadline(deletion, "stubborn")
    assert_exited_on_sigterm(deletion, "app")
    stubborn = deletion.terminated("stubborn")
    record_delay(f"untrapped sidecar: delete -> SIGKILL (grace {deletion.grace_seconds}s, 1s resolution)",
                 deletion.seconds_after_request(stubborn.finished_at))
