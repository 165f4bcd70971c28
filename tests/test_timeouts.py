"""The config-reload bound derived from the kubelet's syncFrequency."""
import pytest

from helpers.kube.kubelet import sync_frequency_from_configz
from helpers.kube.timeouts import DEFAULT_SYNC_FREQUENCY, config_reload, pod_deletion


@pytest.mark.parametrize("value, seconds", [("1m0s", 60), ("5s", 5), ("1m30s", 90), ("500ms", 0.5)])
def test_sync_frequency_is_read_from_configz(value, seconds):
    assert sync_frequency_from_configz({"kubeletconfig": {"syncFrequency": value}}) == seconds


def test_configz_without_sync_frequency_gives_none():
    assert sync_frequency_from_configz({"kubeletconfig": {}}) is None
    assert sync_frequency_from_configz({}) is None


@pytest.mark.parametrize("sync, bound", [(5, 38), (60, 120), (DEFAULT_SYNC_FREQUENCY, 120)])
def test_reload_bound_is_one_and_a_half_sync_periods_plus_slack(sync, bound):
    timeout = config_reload(sync, "test")
    assert timeout.seconds == bound
    assert f"syncFrequency {sync:g}s from test" in timeout.name


def test_pod_deletion_allows_the_grace_period_and_a_margin():
    assert pod_deletion(10).seconds > 10
    assert "grace 10s" in pod_deletion(10).name
