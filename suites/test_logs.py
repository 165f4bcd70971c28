"""Scenario 2: a sidecar ships the app's log file from a shared emptyDir."""
import statistics

import pytest

from helpers.checks.failure import precondition
from helpers.checks.logs import assert_every_line_once_in_order, expected_lines, wait_shipped
from helpers.kube import manifests

pytestmark = pytest.mark.logs


def ship_and_compare(namespace, style, manifest, pod_name, record_delay):
    """Deploy, wait for the shipper to show the last line, compare with what the app wrote."""
    docs = namespace.deploy(manifest, style)
    expected = expected_lines(docs, pod_name)
    pod = namespace.pod(pod_name).wait_ready()

    written, shipped = wait_shipped(pod, expected)
    assert_every_line_once_in_order(shipped, expected)
    written_at = {line.text: line.time for line in written}
    delays = [(line.time - written_at[line.text]).total_seconds() for line in shipped]
    record_delay(f"{manifest} propagation p50", statistics.median(delays))
    record_delay(f"{manifest} propagation max", max(delays))
    return docs, pod


def test_sidecar_ships_every_line_once_and_in_order(namespace, sidecar_style, record_delay):
    ship_and_compare(namespace, sidecar_style, "logs/logs.yaml", "logs-demo", record_delay)


def test_no_line_is_lost_when_the_app_rotates_its_file(namespace, sidecar_style, record_delay):
    docs, pod = ship_and_compare(namespace, sidecar_style, "logs/logs-rotation.yaml", "logs-rotation-demo",
                                 record_delay)
    count = int(manifests.env_value(docs, pod.name, "app", "LINE_COUNT"))
    every = int(manifests.env_value(docs, pod.name, "app", "ROTATE_EVERY"))
    rotations = [line.text for line in pod.log("app") if line.text.startswith("app: rotated")]
    precondition(rotations == [f"app: rotated after line {n}" for n in range(every, count, every)],
                 f"the app rotated its file every {every} lines (it says {rotations})")
