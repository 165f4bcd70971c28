"""Negative controls of log shipping: the suite's checks of helpers/checks/logs.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""

import pytest

from helpers.checks import logs


@pytest.mark.parametrize("scenario, overlay, pod_name, check", [
    ("logs/logs.yaml", "logs/controls/logs-separate-volumes.yaml", "logs-demo", logs.LOG_LINES_REACH_THE_SHIPPER),
    ("logs/logs.yaml", "logs/controls/logs-lossy-shipper.yaml", "logs-demo", logs.EVERY_LINE_ONCE_IN_ORDER),
    ("logs/logs-rotation.yaml", "logs/controls/logs-rotation-follows-descriptor.yaml", "logs-rotation-demo",
     logs.LOG_LINES_REACH_THE_SHIPPER),
], ids=["separate-volumes", "lossy-shipper", "rotation-follows-descriptor"])
def test_broken_log_shipping(namespace, broken, sidecar_style, scenario, overlay, pod_name, check):
    docs = namespace.deploy(scenario, sidecar_style, overlay)
    expected = logs.expected_lines(docs, pod_name)
    pod = namespace.pod(pod_name).wait_ready()
    with broken(check):
        _, shipped = logs.wait_shipped(pod, expected)
        logs.assert_every_line_once_in_order(shipped, expected)
