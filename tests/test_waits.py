"""Waits: tenacity policies that say what they waited for and what they saw."""
import itertools

import pytest

from helpers.kube.timeouts import Timeout
from helpers.kube.waits import CannotHappen, HoldBroken, NotYet, WaitTimeout, holds_for, wait_until

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


def test_a_terminal_state_stops_the_wait_at_once_with_its_reason():
    slow = Timeout("slow", 60, poll=0.05)
    with pytest.raises(CannotHappen, match=r"^Pod Failed \(after 0s waiting for Ready\)"):
        wait_until("Ready", lambda: "Failed", lambda phase: phase == "Running", slow,
                   terminal=lambda phase: "Pod Failed" if phase == "Failed" else None)


def test_a_programming_error_is_not_waited_out():
    def observe():
        return {}["missing"]

    with pytest.raises(KeyError):
        wait_until("x", observe, bool, Timeout("slow", 60))


def test_not_yet_is_retried():
    values = iter([NotYet("no pod yet"), 7])

    def observe():
        value = next(values)
        if isinstance(value, Exception):
            raise value
        return value

    assert wait_until("a pod", observe, bool, QUICK) == 7


def test_holds_for_looks_past_a_transient_error_but_not_a_programming_error():
    values = iter([True, ConnectionError("blip"), True])

    def observe():
        value = next(values, True)
        if isinstance(value, Exception):
            raise value
        return value

    holds_for("steady", observe, bool, QUICK)
    with pytest.raises(TypeError):
        holds_for("steady", lambda: None + 1, bool, QUICK)


def test_a_broken_hold_is_its_own_kind():
    with pytest.raises(HoldBroken) as broken:
        holds_for("steady", lambda: False, bool, QUICK)
    assert broken.value.seen == "False"
