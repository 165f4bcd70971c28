"""A broken behaviour as data: behaviour, check, what was awaited, what was last seen."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from helpers.kube.waits import CannotHappen, HoldBroken, WaitTimeout


class CheckFailed(AssertionError):
    """The cluster does not behave as `check` of `behaviour` requires."""

    def __init__(self, behaviour: str, check: str, awaited: str, seen: str):
        self.behaviour, self.check, self.awaited, self.seen = behaviour, check, awaited, seen
        super().__init__(f"{check} broken [{behaviour}]: expected {awaited}; saw {seen}")


class PreconditionFailed(AssertionError):
    """The scenario did not get to the point where its check means something (not a verdict
    on the behaviour: the test's own setup went wrong)."""


def precondition(ok: bool, what: str) -> None:
    """Raise PreconditionFailed(`what`) unless `ok`."""
    if not ok:
        raise PreconditionFailed(f"precondition not met: {what}")


@dataclass(frozen=True)
class Check:
    """One check of a behaviour, named once: the check fails with it, its negative controls expect it."""

    behaviour: str
    name: str


class Behaviour:
    """The checks of one behaviour (its pytest marker) raise their failures through this."""

    def __init__(self, marker: str):
        self.marker = marker

    def check(self, name: str) -> Check:
        """A check of this behaviour, called `name` in failures and the summary."""
        return Check(self.marker, name)

    def require(self, ok: bool, check: Check, awaited: str, seen: object) -> None:
        """Raise CheckFailed unless `ok`."""
        if not ok:
            raise CheckFailed(check.behaviour, check.name, awaited, str(seen))

    @contextmanager
    def waiting(self, check: Check) -> Iterator[None]:
        """A wait (or a hold) of `check` that runs out, or that the cluster's state makes
        hopeless, is `check` failing, with what it saw."""
        try:
            yield
        except WaitTimeout as exc:
            raise CheckFailed(check.behaviour, check.name, f"{exc.what} within {exc.timeout.seconds:g}s"
                              f" [{exc.timeout.name}]", exc.last_seen) from exc
        except HoldBroken as exc:
            raise CheckFailed(check.behaviour, check.name, f"{exc.what} for {exc.timeout.seconds:g}s", exc.seen) from exc
        except CannotHappen as exc:
            raise CheckFailed(check.behaviour, check.name, exc.what, exc.reason) from exc
