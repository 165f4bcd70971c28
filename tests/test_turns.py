"""Turns on the nodes (helpers/session/turns.py): a disruption waits for every share, and shares wait
for a disruption. Two Turns on one folder stand for two processes of a run (flock locks of
separate opens conflict within one process too)."""
import threading
import time

import pytest

from helpers.kube.kubelet import KubeletRestart
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import WaitTimeout
from helpers.session.turns import Turns

SHORT = Timeout("a turn in this unit test", 0.3)


def test_a_disruption_waits_until_every_share_is_given_back(tmp_path):
    test, disruptor = Turns(tmp_path), Turns(tmp_path)
    test.take_share(SHORT)
    with pytest.raises(WaitTimeout, match="every other test of the run off the nodes"):
        with disruptor.alone(SHORT):
            pass
    test.give_back()
    with disruptor.alone(SHORT):
        pass


def test_a_share_waits_while_a_disruption_runs(tmp_path):
    test, disruptor = Turns(tmp_path), Turns(tmp_path)
    with disruptor.alone(SHORT):
        with pytest.raises(WaitTimeout, match="no node disruption under way"):
            test.take_share(SHORT)
    test.take_share(SHORT)


def test_a_waiting_disruption_keeps_new_shares_out(tmp_path):
    early, late, disruptor = Turns(tmp_path), Turns(tmp_path), Turns(tmp_path)
    early.take_share(SHORT)
    waiting = threading.Thread(target=lambda: disruptor.alone(Timeout("the test's disruption", 5)).__enter__())
    waiting.start()
    time.sleep(0.3)  # the disruption holds the turnstile, waiting for `early`
    with pytest.raises(WaitTimeout):
        late.take_share(SHORT)
    early.give_back()
    waiting.join(5)
    assert not waiting.is_alive()


def test_a_disrupting_test_gets_its_share_back_afterwards(tmp_path):
    disruptor, other = Turns(tmp_path), Turns(tmp_path)
    disruptor.take_share(SHORT)
    with disruptor.alone(SHORT):
        assert disruptor.share_fd is None
    assert disruptor.share_fd is not None
    with pytest.raises(WaitTimeout):
        with other.alone(SHORT):
            pass
    other.take_share(SHORT)  # shares live side by side


def restarts_counted(calls: list):
    def restart() -> KubeletRestart:
        time.sleep(0.2)
        calls.append(threading.get_ident())
        return KubeletRestart("node-1", "10", str(11 + len(calls)))
    return restart


def members(tmp_path, *names, workers=2):
    processes = [Turns(tmp_path) for _ in names]
    for turns in processes:
        turns.round.expect(names, workers)
        turns.take_share(SHORT, member=True)
    return processes


def test_the_disrupting_tests_share_one_restart_of_their_node(tmp_path):
    a, b = members(tmp_path, "t::a", "t::b")
    calls, got = [], {}
    asking = [threading.Thread(target=lambda t=t, m=m: got.update({m: t.restart_kubelet(m, "node-1", restarts_counted(calls),
                                                                                           Timeout("round", 5))}))
              for t, m in ((a, "t::a"), (b, "t::b"))]
    asking[0].start()
    time.sleep(0.3)  # a waits for b to ask: they run together
    assert calls == []
    asking[1].start()
    for thread in asking:
        thread.join(5)
    assert len(calls) == 1
    assert got["t::a"] == got["t::b"] == KubeletRestart("node-1", "10", "12")
    assert a.share_fd is not None and b.share_fd is not None  # their shares back, for the rest of their tests


def test_other_tests_start_only_once_the_round_is_closed(tmp_path):
    [a] = members(tmp_path, "t::a")
    other = Turns(tmp_path)
    other.round.expect(["t::a"], 2)
    with pytest.raises(WaitTimeout, match="kubelet restart round done"):
        other.take_share(SHORT)
    a.restart_kubelet("t::a", "node-1", restarts_counted([]), SHORT)
    other.take_share(SHORT)


def test_a_round_is_closed_when_its_tests_ended_without_asking(tmp_path):
    other = Turns(tmp_path)
    other.round.expect(["t::a", "t::b"], 2)
    other.round.end("t::a")
    assert not other.round.is_closed()
    other.round.end("t::b")
    other.take_share(SHORT)


def test_a_test_that_asks_after_the_restart_began_has_its_own(tmp_path):
    a, b = members(tmp_path, "t::a", "t::b", workers=1)  # more of them than workers: not together
    calls = []
    b.give_back()  # b not started yet
    a.restart_kubelet("t::a", "node-1", restarts_counted(calls), SHORT)
    a.give_back()  # a's test over
    b.take_share(SHORT, member=True)
    assert b.restart_kubelet("t::b", "node-1", restarts_counted(calls), SHORT) == KubeletRestart("node-1", "10", "13")
    assert len(calls) == 2


def test_a_restart_of_another_node_is_not_taken(tmp_path):
    [a] = members(tmp_path, "t::a")
    a.round.record(time.monotonic(), KubeletRestart("node-2", "1", "2"))
    calls = []
    assert a.restart_kubelet("t::a", "node-1", restarts_counted(calls), SHORT).node == "node-1"
    assert len(calls) == 1
