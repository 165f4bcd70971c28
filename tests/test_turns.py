"""Turns on the nodes (helpers/session/turns.py): a disruption waits for every share, and shares wait
for a disruption. Two Turns on one folder stand for two processes of a run (flock locks of
separate opens conflict within one process too)."""
import threading
import time

import pytest

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
