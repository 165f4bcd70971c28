"""Waits: tenacity policies that say what they waited for and what they saw."""
import itertools

import pytest

from helpers.timeouts import Timeout
from helpers.waits import WaitTimeout, holds_for, wait_until

QUICK = Timeout("quick test timeout", 0.3, poll=0.05)


def test_wait_returns_the_first_accepted_value_and_retries_errors():
    counter = itertools.count()

    def observe():
        n = next(counter)
        if n == 0:
            raise ConnectionError("not yet")
        return n

    assert wait_until("a count of 3", observe, lambda n: n >= 3, QUICK) == 3


def test_timeout_message_names_the_wait_what_was_seen_and_the_context():
    with pytest.raises(WaitTimeout) as failure:
        wait_until("the answer", lambda: 41, lambda n: n == 42, QUICK, context=lambda: "pod: Pending")
    message = str(failure.value)
    assert "waiting for the answer" in message
    assert "[quick test timeout]" in message and "0.3s" in message
    assert "last seen: 41" in message
    assert "pod: Pending" in message


def test_broken_diagnostics_do_not_hide_the_timeout():
    def context():
        raise RuntimeError("api down")

    with pytest.raises(WaitTimeout, match="could not collect diagnostics: RuntimeError: api down"):
        wait_until("x", lambda: 0, bool, QUICK, context=context)


def test_last_error_is_what_was_seen():
    def observe():
        raise ConnectionError("refused")

    with pytest.raises(WaitTimeout, match="last seen: ConnectionError: refused"):
        wait_until("x", observe, bool, QUICK)


def test_holds_for_passes_when_the_condition_keeps_holding():
    holds_for("true", lambda: True, bool, QUICK)


def test_holds_for_fails_as_soon_as_the_condition_breaks():
    values = iter([True, True, False])
    with pytest.raises(AssertionError, match="expected steady for 0.3s .* but saw: False"):
        holds_for("steady", lambda: next(values, False), bool, QUICK)
