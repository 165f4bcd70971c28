"""What this process asked the cluster to make, edit and delete, and when: one JSON line per
request, in <directory>/<pid>.jsonl when SIDECAR_CONFORMANCE_JOURNAL names a directory (make
bench sets it, then replays the run with nobody looking: bench.replay); otherwise nothing.

Written where it happens (kube.namespace, kube.pods). A line: {"t": wall-clock seconds,
"what": one of the constants below, "namespace": name, ...what the request needs}.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TextIO

JOURNAL_ENV = "SIDECAR_CONFORMANCE_JOURNAL"
NAMESPACE = "namespace"  # + pod_security
CREATE = "create"  # + doc (an object as applied)
PATCH_CONFIG_MAP = "patch config map"  # + name, data
DELETE_POD = "delete pod"  # + name
DELETE_NAMESPACE = "delete namespace"  # its Pods with the clean-up grace period, then the namespace

_file: TextIO | None = None


def _journal() -> TextIO | None:
    global _file
    directory = os.environ.get(JOURNAL_ENV)
    if directory and _file is None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        _file = open(Path(directory) / f"{os.getpid()}.jsonl", "a", buffering=1, encoding="utf-8")
    return _file


def note(what: str, namespace: str, **fields) -> None:
    """Add a line, if this process keeps a journal."""
    journal = _journal()
    if journal is not None:
        journal.write(json.dumps({"t": time.time(), "what": what, "namespace": namespace, **fields}) + "\n")
