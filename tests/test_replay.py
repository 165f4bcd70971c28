"""Unit tests of the run's journal (reporting.journal) and its replay (bench.replay), without a cluster."""
from __future__ import annotations

import threading
import time

import pytest

from helpers.kube import observers
from helpers.reporting import journal
from tools.bench import replay


def test_journal_writes_a_line_per_request_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(journal, "_file", None)
    monkeypatch.delenv(journal.JOURNAL_ENV, raising=False)
    journal.note(observers.Event(observers.NAMESPACE, "sc-a", {"pod_security": "baseline"}))  # no journal asked for: nothing
    assert not list(tmp_path.iterdir())
    monkeypatch.setenv(journal.JOURNAL_ENV, str(tmp_path / "journal"))
    journal.note(observers.Event(observers.NAMESPACE, "sc-a", {"pod_security": "baseline"}))
    journal.note(observers.Event(observers.EXEC, "sc-a", {"pod": "app"}))  # not a request the replay repeats
    journal.note(observers.Event(observers.CREATE, "sc-a", {"doc": {"kind": "Pod", "metadata": {"name": "app"}}}))
    journal._file.close()
    monkeypatch.setattr(journal, "_file", None)
    lines = replay.read(tmp_path / "journal")
    assert [(line["what"], line["namespace"]) for line in lines] == [(observers.NAMESPACE, "sc-a"),
                                                                      (observers.CREATE, "sc-a")]
    assert lines[1]["doc"]["metadata"]["name"] == "app" and lines[0]["t"] <= lines[1]["t"]


def test_an_empty_journal_is_a_one_line_failure(tmp_path):
    with pytest.raises(replay.ReplayFailed, match="no journal in"):
        replay.read(tmp_path)


def lines_of(*entries):
    """Journal lines (offset in s, what, namespace), starting at t=1000."""
    return [{"t": 1000 + offset, "what": what, "namespace": namespace} for offset, what, namespace in entries]


def test_replay_acts_on_each_line_at_its_moment_in_its_own_namespace():
    lines = lines_of((0.0, observers.NAMESPACE, "sc-x"), (0.05, observers.NAMESPACE, "sc-y"),
                     (0.1, observers.CREATE, "sc-x"), (0.2, observers.DELETE_NAMESPACE, "sc-y"),
                     (0.25, observers.DELETE_NAMESPACE, "sc-x"))
    acted, lock, start = [], threading.Lock(), time.monotonic()

    def act(line, namespace):
        with lock:
            acted.append((namespace, line["what"], time.monotonic() - start))

    names = replay.replay(lines, act)
    assert names == ["bench-replay-0", "bench-replay-1"]
    assert [(n, w) for n, w, _ in acted if n == "bench-replay-0"] == [
        ("bench-replay-0", observers.NAMESPACE), ("bench-replay-0", observers.CREATE),
        ("bench-replay-0", observers.DELETE_NAMESPACE)]
    for (_, _, at), line in zip(sorted(acted, key=lambda a: a[2]), lines, strict=False):
        assert line["t"] - 1000 <= at + 0.01  # never before its moment (timer slack)
    assert max(at for *_, at in acted) < 1.0


def test_the_first_failure_stops_the_replay_with_one_line():
    lines = lines_of((0.0, observers.NAMESPACE, "sc-x"), (0.0, observers.NAMESPACE, "sc-y"),
                     (0.05, observers.CREATE, "sc-x"), (5.0, observers.DELETE_NAMESPACE, "sc-y"))
    acted = []

    def act(line, namespace):
        if line["what"] == observers.CREATE:
            raise ValueError("refused\nsecond line of a long message")
        acted.append((namespace, line["what"]))

    started = time.monotonic()
    with pytest.raises(replay.ReplayFailed, match=r"create in bench-replay-0 \(the run's sc-x\): refused$"):
        replay.replay(lines, act)
    assert time.monotonic() - started < 2.0  # sc-y's deletion 5 s later was not waited for
    assert (("bench-replay-1", observers.DELETE_NAMESPACE) not in acted)


def test_the_runs_wall_splits_at_its_first_object_and_its_last_request():
    lines = lines_of((0.0, observers.NAMESPACE, "sc-gate"), (0.1, observers.DELETE_NAMESPACE, "sc-gate"),
                     (7.0, observers.NAMESPACE, "sc-x"), (7.5, observers.CREATE, "sc-x"),
                     (50.0, observers.DELETE_NAMESPACE, "sc-x"))
    assert replay.timeline(lines, started=998.5, ended=1054.0) == pytest.approx({
        "until the first object": 9.0, "first object to last request": 42.5, "after the last request": 4.0})
