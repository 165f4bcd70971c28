"""The seed tutorial's examples, run as written (manifests/tutorial/): which work, which are
broken and why. Each runs once (no sidecar style) and must do what is expected of it here:
an example expected broken that starts working fails the run, and says so."""
import pytest

from helpers.checks.tutorial import EXAMPLES, Expected, assert_as_expected, verdict
from helpers.reporting.summary import TUTORIAL_PROPERTY

pytestmark = pytest.mark.tutorial

WORKS = Expected()
# What an image may lack that the tutorial's busybox:1.36.1 has (a mirror's busybox without
# `nc -z`; the offline stand-in has it). Where it shows, the example is skipped, and the
# skip is a gap in the verdict (INCONCLUSIVE), not a pass.
IMAGE_LIMITS = {"nc: invalid option -- 'z'": "this cluster's busybox has no `nc -z` (the tutorial's wait needs it)"}
EXPECTED = {
    "shared-network": Expected(
        "nginx listens on 80, not on the 8080 its containerPort names, so the sidecar's one-shot"
        " `wget localhost:8080` is refused; it exits and restarts until CrashLoopBackOff",
        sign="container sidecar-proxy: CrashLoopBackOff (last exit 1), last line: wget: can't connect"),
    "shared-volume": Expected(
        "no container has a command: busybox's default `sh` exits at once, both restart until"
        " CrashLoopBackOff and nothing writes or reads /var/log/app.log",
        sign="CrashLoopBackOff (last exit 0)"),
    "localhost": Expected(
        "nginx listens on 80, not on the 8080 its containerPort names: every curl of the sidecar"
        " fails to connect",
        sign="Failed to connect to localhost port 8080"),
    "logging-sidecar": WORKS,
    "nginx-reverse-proxy": WORKS,
    "config-reload": Expected(
        "its reloader calls `nginx -s reload` in a busybox image (no nginx there, and no view of"
        " nginx's processes without shareProcessNamespace): the edit reaches the volume, nginx keeps"
        " serving the old text (this cluster's busybox has no `inotifyd` either)",
        sign="still 'Configuration Reload Demo'"),
    "init-container": WORKS,
}  # every example of checks.tutorial.EXAMPLES, in the tutorial's order


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_tutorial_example(namespace, request, example):
    observed = verdict(namespace, example)
    request.node.user_properties.append((TUTORIAL_PROPERTY, f"{example}: {observed}"))
    limit = next((why for sign, why in IMAGE_LIMITS.items() if sign in observed), None)
    if limit:
        pytest.skip(f"tutorial example {example}: {limit}")
    assert_as_expected(example, observed, EXPECTED[example])
