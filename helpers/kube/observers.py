"""What the cluster layer did, told to whoever listens.

The layers above register here (reporting's evidence, the request journal `make bench`
replays, the per-test cost counts); this layer imports none of them. An event names what
happened, the namespace, and the fields below.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

NAMESPACE = "namespace"  # a test namespace was created: + pod_security
APPLIED = "applied"  # a manifest's documents, about to be created: + title, docs
CREATE = "create"  # one object was created: + doc (as applied)
PATCH_CONFIG_MAP = "patch config map"  # + name, data
DELETE_POD = "delete pod"  # + name
DELETE_NAMESPACE = "delete namespace"  # its Pods with the clean-up grace period, then the namespace
EXEC = "exec"  # a command run in a container
PORT_FORWARD = "port-forward"  # a kubectl port-forward started
POD_IP = "pod ip"  # a Pod's port reached at its IP (in-cluster run): + pod, port, ip
TEXT = "text"  # something seen that a reader of the test's result will want: + title, text


@dataclass(frozen=True)
class Event:
    """One thing the cluster layer did or saw."""

    what: str
    namespace: str = ""
    fields: dict = field(default_factory=dict)


Observer = Callable[[Event], None]
_observers: list[Observer] = []


def observe(observer: Observer) -> None:
    """Call `observer` with every event from now on (once, however often it registers)."""
    if observer not in _observers:
        _observers.append(observer)


def forget(observer: Observer) -> None:
    """Stop calling `observer` (unit tests)."""
    if observer in _observers:
        _observers.remove(observer)


def tell(what: str, namespace: str = "", **fields) -> None:
    """Tell every observer that `what` happened."""
    event = Event(what, namespace, fields)
    for observer in list(_observers):
        observer(event)
