"""Scenario 2: a sidecar ships the app's log file from a shared emptyDir."""
import re
import statistics

import pytest

from helpers import manifests
from helpers.timeouts import LOG_SHIPPED
from helpers.waits import wait_until

pytestmark = pytest.mark.logs

NUMBERED = re.compile(r"line \d{5} of \d+")


def numbered(lines):
    """The numbered app lines among log lines, in order, with their timestamps."""
    return [line for line in lines if NUMBERED.fullmatch(line.text)]


def ship_and_compare(namespace, style, manifest, pod_name, record_delay):
    """Deploy, wait for the shipper to show the last line, compare with what the app wrote."""
    docs = namespace.deploy(manifest, style)
    count = int(manifests.env_value(docs, pod_name, "app", "LINE_COUNT"))
    expected = [f"line {i:05d} of {count}" for i in range(1, count + 1)]
    pod = namespace.pod(pod_name).wait_ready()

    shipped = wait_until(
        f"{pod_name}/shipper to ship line {count}",
        lambda: numbered(pod.log("shipper")),
        lambda lines: bool(lines) and lines[-1].text == expected[-1],
        LOG_SHIPPED, pod.report,
        show=lambda lines: f"{len(lines)} lines, last {lines[-1].text if lines else None!r}",
    )
    assert [line.text for line in shipped] == expected

    written = {line.text: line.time for line in numbered(pod.log("app"))}
    assert list(written) == expected, "the app's own stdout should list every line once"
    delays = [(line.time - written[line.text]).total_seconds() for line in shipped]
    record_delay(f"{manifest} propagation p50", statistics.median(delays))
    record_delay(f"{manifest} propagation max", max(delays))
    return docs, pod


def test_sidecar_ships_every_line_once_and_in_order(namespace, sidecar_style, record_delay):
    ship_and_compare(namespace, sidecar_style, "logs.yaml", "logs-demo", record_delay)


def test_no_line_is_lost_when_the_app_rotates_its_file(namespace, sidecar_style, record_delay):
    docs, pod = ship_and_compare(namespace, sidecar_style, "logs-rotation.yaml", "logs-rotation-demo",
                                 record_delay)
    count = int(manifests.env_value(docs, pod.name, "app", "LINE_COUNT"))
    every = int(manifests.env_value(docs, pod.name, "app", "ROTATE_EVERY"))
    rotations = [line.text for line in pod.log("app") if line.text.startswith("app: rotated")]
    assert rotations == [f"app: rotated after line {n}" for n in range(every, count, every)]
