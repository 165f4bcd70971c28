"""What the kubelet restarter printed, read as a restart that happened or did not."""
import pytest

from helpers.kube.kubelet import KubeletRestart, pid_lines


def test_the_pids_before_and_after_are_read_from_the_restarters_lines():
    assert pid_lines(["kubelet pid before 812", "noise", "kubelet pid after 4410"]) == ("812", "4410")
    assert pid_lines(["kubelet pid before 812"]) == ("812", "")


@pytest.mark.parametrize("before, after, happened", [
    ("812", "4410", True),
    ("812", "812", False),  # the same process: nothing restarted
    ("812", "0", False),  # systemd reports 0 for a unit that is not running
    ("", "4410", False),  # a line missing: not proved
])
def test_a_restart_happened_only_with_two_different_known_pids(before, after, happened):
    assert KubeletRestart("node", before, after).happened is happened
