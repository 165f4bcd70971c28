"""Every wait of the suite: a tenacity policy with a named timeout and a telling failure."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import tenacity

from helpers.timeouts import Timeout

T = TypeVar("T")
MAX_SEEN = 800


class WaitTimeout(AssertionError):
    """A wait ran out of time; the message says what, what was seen, and the Pod's state."""


@dataclass(frozen=True)
class _Look:
    ok: bool
    value: Any
    seen: str


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_SEEN else text[:MAX_SEEN] + " ..."


def _context(context: Callable[[], str] | None) -> str:
    if context is None:
        return ""
    try:
        return context()
    except Exception as exc:  # diagnostics must never hide the original failure
        return f"(could not collect diagnostics: {type(exc).__name__}: {exc})"


def _look(observe: Callable[[], T], check: Callable[[T], bool], show: Callable[[T], str]) -> _Look:
    try:
        value = observe()
    except Exception as exc:
        return _Look(False, None, f"{type(exc).__name__}: {exc}")
    return _Look(bool(check(value)), value, _shorten(show(value)))


def _looking(timeout: Timeout, until_ok: bool) -> tenacity.Retrying:
    """Look every timeout.poll seconds for at most timeout.seconds, while the look is (not) ok."""
    return tenacity.Retrying(
        stop=tenacity.stop_after_delay(timeout.seconds),
        wait=tenacity.wait_fixed(timeout.poll),
        retry=tenacity.retry_if_result(lambda look: look.ok != until_ok),
    )


def wait_until(
    what: str,
    observe: Callable[[], T],
    check: Callable[[T], bool],
    timeout: Timeout,
    context: Callable[[], str] | None = None,
    show: Callable[[T], str] = repr,
) -> T:
    """Call `observe` until `check` accepts its value; return that value.

    Errors raised by `observe` count as "not yet". On timeout, raise WaitTimeout
    naming `what`, the timeout, the last thing seen and `context()` (the Pod's state).
    """
    policy = _looking(timeout, until_ok=True)
    try:
        look = policy(_look, observe, check, show)
    except tenacity.RetryError as err:
        last = err.last_attempt.result()
        raise WaitTimeout(
            f"timed out after {timeout.seconds:g}s [{timeout.name}] waiting for {what}\n"
            f"last seen: {last.seen}\n{_context(context)}"
        ) from None
    return look.value


def holds_for(
    what: str,
    observe: Callable[[], T],
    check: Callable[[T], bool],
    timeout: Timeout,
    context: Callable[[], str] | None = None,
    show: Callable[[T], str] = repr,
) -> None:
    """Assert that `check` keeps accepting what `observe` returns for the whole timeout."""
    policy = _looking(timeout, until_ok=False)
    try:
        look = policy(_look, observe, check, show)
    except tenacity.RetryError:
        return
    raise AssertionError(
        f"expected {what} for {timeout.seconds:g}s [{timeout.name}], but saw: {look.seen}\n"
        f"{_context(context)}"
    )
