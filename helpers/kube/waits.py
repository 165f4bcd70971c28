"""Every wait of the suite: a tenacity policy with a named timeout and a telling failure.

A look at the cluster ends one of four ways:
  - accepted: the wait returns;
  - not yet: the value is not there yet, or the look raised NotYet or a transient API or
    network error (these are retried with an exponential back-off, never faster than the
    timeout's poll);
  - hopeless: `terminal(value)` names a state the cluster will not leave by itself (a Pod
    Failed, a crash loop, Unschedulable...): CannotHappen is raised at once with that reason;
  - anything else raised by the look (a programming error, a forbidden request) propagates.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import tenacity
import urllib3
from kubernetes import client

from helpers.kube.timeouts import Timeout

T = TypeVar("T")
MAX_SEEN = 800
# API answers worth another look: not found yet, conflict, watch expired, throttled, server trouble; and an
# exec into a container that is not running yet (400).
RETRIED_API_STATUSES = (0, 400, 404, 409, 410, 429, 500, 502, 503, 504)
BACKOFF_MIN, BACKOFF_MAX = 0.1, 8.0  # seconds: the base and the cap of the back-off after errors


class NotYet(LookupError):
    """Raised by a look whose object does not exist yet (a Job's Pod, a container's status)."""


class WaitTimeout(AssertionError):
    """A wait ran out of time; the message says what, what was seen, and the Pod's state."""

    def __init__(self, what: str, timeout: Timeout, last_seen: str, context: str = ""):
        self.what, self.timeout, self.last_seen = what, timeout, last_seen
        super().__init__(f"timed out after {timeout.seconds:g}s [{timeout.name}] waiting for {what}\n"
                         f"last seen: {last_seen}\n{context}".rstrip("\n"))


class CannotHappen(AssertionError):
    """What a wait waited for cannot happen: the cluster reached a state it will not leave."""

    def __init__(self, what: str, reason: str, seconds: float | None = None, context: str = ""):
        self.what, self.reason, self.seconds = what, reason, seconds
        waited = f" (after {seconds:.0f}s waiting for {what})" if seconds is not None else ""
        super().__init__(f"{reason}{waited}\n{context}".rstrip("\n"))


def transient(exc: BaseException) -> bool:
    """Whether an error raised by a look is worth another look."""
    if isinstance(exc, NotYet):
        return True
    if isinstance(exc, client.ApiException):
        return exc.status in RETRIED_API_STATUSES
    return isinstance(exc, (urllib3.exceptions.HTTPError, httpx.TransportError, ConnectionError, TimeoutError))


@dataclass(frozen=True)
class _Look:
    ok: bool
    value: Any
    seen: str
    failed: bool = False  # the look raised a transient error


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
        if not transient(exc):
            raise
        return _Look(False, None, f"{type(exc).__name__}: {exc}", failed=True)
    return _Look(bool(check(value)), value, _shorten(show(value)))


def _pause(poll: float) -> Callable[[tenacity.RetryCallState], float]:
    """`poll` between looks; after consecutive transient errors an exponential back-off."""
    errors = 0

    def pause(state: tenacity.RetryCallState) -> float:
        nonlocal errors
        errors = errors + 1 if state.outcome.result().failed else 0
        return poll if errors == 0 else min(BACKOFF_MAX, max(poll, BACKOFF_MIN) * 2 ** errors)

    return pause


def _looking(timeout: Timeout, until_ok: bool) -> tenacity.Retrying:
    """Look for at most timeout.seconds, while the look is (not) ok."""
    return tenacity.Retrying(
        stop=tenacity.stop_after_delay(timeout.seconds),
        wait=_pause(timeout.poll),
        retry=tenacity.retry_if_result(lambda look: look.failed or look.ok != until_ok),
    )


def wait_until(
    what: str,
    observe: Callable[[], T],
    check: Callable[[T], bool],
    timeout: Timeout,
    context: Callable[[], str] | None = None,
    show: Callable[[T], str] = repr,
    terminal: Callable[[T], str | None] | None = None,
) -> T:
    """Call `observe` until `check` accepts its value; return that value.

    A value `check` rejects is given to `terminal`, which names a state that cannot lead to
    success (CannotHappen is raised at once) or returns None. On timeout, WaitTimeout names
    `what`, the timeout, the last thing seen and `context()` (the Pod's state).
    """
    started = time.monotonic()

    def observe_or_give_up() -> T:
        value = observe()
        reason = terminal(value) if terminal is not None and not check(value) else None
        if reason:
            raise CannotHappen(what, reason, time.monotonic() - started, _context(context))
        return value

    try:
        look = _looking(timeout, until_ok=True)(_look, observe_or_give_up, check, show)
    except tenacity.RetryError as err:
        raise WaitTimeout(what, timeout, err.last_attempt.result().seen, _context(context)) from None
    return look.value


def holds_for(
    what: str,
    observe: Callable[[], T],
    check: Callable[[T], bool],
    timeout: Timeout,
    context: Callable[[], str] | None = None,
    show: Callable[[T], str] = repr,
) -> None:
    """Assert that `check` keeps accepting what `observe` returns for the whole timeout.

    A transient error is looked past; any other error propagates (it is not a broken hold).
    """
    try:
        look = _looking(timeout, until_ok=False)(_look, observe, check, show)
    except tenacity.RetryError:
        return
    raise HoldBroken(what, timeout, look.seen, _context(context))


class HoldBroken(AssertionError):
    """What was to hold for a while stopped holding; the message says what was seen."""

    def __init__(self, what: str, timeout: Timeout, seen: str, context: str = ""):
        self.what, self.timeout, self.seen = what, timeout, seen
        super().__init__(f"expected {what} for {timeout.seconds:g}s [{timeout.name}], but saw: {seen}\n"
                         f"{context}".rstrip("\n"))
