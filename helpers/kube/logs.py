"""Container logs with the runtime's timestamps: read once, or followed in a thread."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kubernetes import client

from helpers.kube.timeouts import LOG_STREAM_END
from helpers.kube.waits import wait_until


@dataclass(frozen=True)
class LogLine:
    """One line of a container's log and when the container runtime received it."""

    time: datetime
    text: str


def parse_log_line(raw: str) -> LogLine | None:
    """Split a `timestamps=true` log line: RFC 3339 (nanoseconds allowed), space, text.

    None for a line without a timestamp: not the container's output but the kubelet's own
    word, such as the "rpc error: ... NotFound" it appends when a followed container is
    removed before the stream is drained.
    """
    stamp, _, text = raw.partition(" ")
    head, dot, fraction = stamp.rstrip("Z").partition(".")
    iso = f"{head}.{fraction[:6].ljust(6, '0')}" if dot else head
    try:
        return LogLine(datetime.fromisoformat(iso + "+00:00"), text)
    except ValueError:
        return None


def split_log(raw_lines) -> tuple[list[LogLine], list[str]]:
    """(the container's lines, the kubelet's lines without a timestamp) of raw log lines."""
    lines, notices = [], []
    for raw in raw_lines:
        if raw:
            parsed = parse_log_line(raw)
            lines.append(parsed) if parsed else notices.append(raw)
    return lines, notices


def parse_log(data: str) -> list[LogLine]:
    """Every complete line the container printed, of a `timestamps=true` log."""
    return split_log(data.split("\n"))[0]  # only newlines end a line (a \r is part of its text)


def read_log(core: client.CoreV1Api, namespace: str, pod: str, container: str) -> list[LogLine]:
    """Everything the container printed so far."""
    response = core.read_namespaced_pod_log(
        pod, namespace, container=container, timestamps=True, _preload_content=False
    )
    return parse_log(response.data.decode(errors="replace"))


class LogFollower:
    """Follows one container's log from its start until the stream ends.

    The request is made in the constructor, so the stream is open before the caller's
    next action (a deletion, say); a daemon thread reads it.
    """

    def __init__(self, core: client.CoreV1Api, namespace: str, pod: str, container: str):
        self.source = f"{namespace}/{pod}/{container}"
        self.lines: list[LogLine] = []
        self.notices: list[str] = []  # the kubelet's lines in the stream (no timestamp), for evidence
        self.ended_at: float | None = None  # time.monotonic() when the stream ended
        self.error: Exception | None = None
        self._response = core.read_namespaced_pod_log(
            pod, namespace, container=container, follow=True, timestamps=True, _preload_content=False
        )
        self._thread = threading.Thread(target=self._read, name=f"logs {self.source}", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        pending = b""
        try:
            for chunk in self._response.stream(amt=None, decode_content=False):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                self._add(complete)
            self._add([pending])
        except Exception as exc:  # kept for the caller: a broken stream is not an ended one
            self.error = exc
        finally:
            self.ended_at = time.monotonic()

    def _add(self, raw_lines: list[bytes]) -> None:
        lines, notices = split_log(raw.decode(errors="replace") for raw in raw_lines)
        self.lines.extend(lines)
        self.notices.extend(notices)

    def wait_ended(self, context: Callable[[], str] | None = None) -> None:
        """Wait for the container to stop and its log stream to close."""
        wait_until(
            f"log stream of {self.source} to end",
            lambda: self.ended_at,
            lambda ended: ended is not None,
            LOG_STREAM_END,
            context,
            show=lambda _: f"{len(self.lines)} lines so far, last: {self.lines[-1:]}",
        )
        if self.error is not None:
            raise AssertionError(f"log stream of {self.source} broke: {self.error!r}")

    def texts(self) -> list[str]:
        """The lines' texts, in order."""
        return [line.text for line in self.lines]

    def close(self) -> None:
        """Stop reading (the thread ends with the connection)."""
        self._response.release_conn()
