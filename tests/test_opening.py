"""The cluster session opened in the background (session.opening)."""
import threading

import pytest

from helpers.kube.cluster import ClusterTarget
from helpers.kube.nativegate import NativeSupport
from helpers.session.opening import Opening, read_handoff, write_handoff
from helpers.session.preflight import SessionError


def test_wait_returns_once_the_work_is_done():
    release, done = threading.Event(), []
    opening = Opening(lambda: (release.wait(5), done.append(True)))
    assert not opening.done
    release.set()
    opening.wait()
    assert opening.done and done == [True]


def test_wait_raises_what_the_work_raised_each_time():
    def fail():
        raise ValueError("kind cluster x: no node image")

    opening = Opening(fail)
    for _ in range(2):  # session_opened, then pytest_unconfigure
        with pytest.raises(ValueError, match="no node image"):
            opening.wait()


def test_the_handoff_carries_the_target_and_the_native_answer(tmp_path):
    target = ClusterTarget("/k/config", None, "kubectl", "run-1", kind_name="k", kind_bin="/bin/kind",
                           delete_at_end=True, owner="me")
    native = NativeSupport("kubelet v1.28 has no native sidecars")
    write_handoff(tmp_path / "session.json", target, native)
    assert read_handoff(tmp_path / "session.json") == (target, native)
    assert [path.name for path in tmp_path.iterdir()] == ["session.json"]


def test_waiting_for_a_session_that_never_opens_ends_with_one_line():
    never = threading.Event()
    opening = Opening(lambda: never.wait(30))
    with pytest.raises(SessionError, match="not open within 0.2s"):
        opening.wait(0.2)
    never.set()
