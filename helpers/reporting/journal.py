"""What this process asked the cluster to make, edit and delete, and when: one JSON line per
request, in <directory>/<pid>.jsonl when SIDECAR_CONFORMANCE_JOURNAL names a directory (make
bench sets it, then replays the run with nobody looking: tools.bench.replay); otherwise nothing.

An observer of the cluster layer (kube.observers). A line: {"t": wall-clock seconds, "what":
one of JOURNALLED, "namespace": name, ...the event's fields}.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TextIO

from helpers.kube import observers

JOURNAL_ENV = "SIDECAR_CONFORMANCE_JOURNAL"
JOURNALLED = (observers.NAMESPACE, observers.CREATE, observers.PATCH_CONFIG_MAP, observers.DELETE_POD,
              observers.DELETE_NAMESPACE)

_file: TextIO | None = None


def _journal() -> TextIO | None:
    global _file
    directory = os.environ.get(JOURNAL_ENV)
    if directory and _file is None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        _file = open(Path(directory) / f"{os.getpid()}.jsonl", "a", buffering=1, encoding="utf-8")
    return _file


def note(event: observers.Event) -> None:
    """Add a line for a request the replay repeats, if this process keeps a journal."""
    journal = _journal() if event.what in JOURNALLED else None
    if journal is not None:
        journal.write(json.dumps({"t": time.time(), "what": event.what, "namespace": event.namespace,
                                  **event.fields}) + "\n")
