"""In-Pod evidence of when things happened: `event <uptime> <container> <what>` lines.

Containers of a Pod share the node's kernel, so /proc/uptime is one clock for all of
them, with 10 ms resolution (container status times have 1 s). The manifests print
these lines; checks compare them, as upstream's container_lifecycle_test.go does.
"""
from __future__ import annotations

from dataclasses import dataclass

PREFIX = "event "


@dataclass(frozen=True)
class Event:
    """One thing a container said happened, at `uptime` seconds of the node's clock."""

    uptime: float
    container: str
    what: str


def parse(texts) -> list[Event]:
    """The events among log line texts, in the order printed."""
    events = []
    for text in texts:
        if text.startswith(PREFIX):
            uptime, container, what = text[len(PREFIX):].split(" ", 2)
            events.append(Event(float(uptime), container, what))
    return events


class Timeline:
    """The events of several containers, looked up by container and what happened."""

    def __init__(self, events):
        self.events = sorted(events, key=lambda event: event.uptime)

    def at(self, container: str, what: str) -> float | None:
        """When `container` first said `what` (None if it never did)."""
        return next((e.uptime for e in self.events if e.container == container and e.what == what), None)

    def last(self, container: str, what: str) -> float | None:
        """When `container` last said `what` (None if it never did)."""
        return next((e.uptime for e in reversed(self.events) if e.container == container and e.what == what), None)

    def __str__(self) -> str:
        return ", ".join(f"{e.container} {e.what} @{e.uptime:.2f}" for e in self.events) or "no events"


def before(first: float | None, second: float | None) -> bool:
    """Both happened, `first` strictly before `second`."""
    return first is not None and second is not None and first < second
