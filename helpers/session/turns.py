"""Turns on the cluster's nodes: a test that disrupts a node (restarts its kubelet) has the
nodes to itself for that moment, and no other test of the run is between its start and its
end then. Every test holds a share from its setup to its teardown (a class of tests sharing
Pods, from its first test's setup to its last one's teardown); a disruption waits until the
shares are given back, while new ones wait for it. The processes of a run (xdist workers)
take turns through two lock files in the folder they share: a turnstile, which a disruption
holds while it waits and runs, so that shares cannot starve it, and the nodes' lock itself
(shared by tests, exclusive for a disruption). A kubelet restart goes through the run's
round (kubeletround.py): the disrupting tests first, one restart for them all.
"""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers.kube.kubelet import KubeletRestart
from helpers.kube.timeouts import NODE_TURN, Timeout
from helpers.kube.waits import WaitTimeout
from helpers.session.kubeletround import KubeletRound
from helpers.session.workers import scope_of

LOCK_POLL = 0.1  # seconds between tries of a lock another process holds


class Turns:
    """This process's place in the run's turns on the nodes (one per process)."""

    def __init__(self, folder: Path):
        self.turnstile = folder / "turnstile.lock"
        self.nodes = folder / "nodes.lock"
        self.share_fd: int | None = None
        self.round = KubeletRound(folder)

    def _lock(self, path: Path, how: int, what: str, timeout: Timeout, fd: int | None = None) -> int:
        """`path` locked `how` (fcntl.LOCK_SH or LOCK_EX) on `fd`, or on a new descriptor; within
        `timeout` (WaitTimeout otherwise: another test of the run kept its turn too long)."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if fd is None else fd
        deadline = time.monotonic() + timeout.seconds
        while True:
            try:
                fcntl.flock(fd, how | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise WaitTimeout(what, timeout, "another test of this run still holds the nodes") from None
                time.sleep(LOCK_POLL)

    def take_share(self, timeout: Timeout, member: bool = False) -> None:
        """Hold a share of the nodes (no disruption until it is given back); idempotent. A test
        not of the kubelet restart round (`member`) waits for the round to be closed first."""
        if self.share_fd is not None:
            return
        if not member:
            self.round.wait_closed(timeout)
        gate = self._lock(self.turnstile, fcntl.LOCK_EX, "no node disruption under way", timeout)
        try:
            self.share_fd = self._lock(self.nodes, fcntl.LOCK_SH, "a share of the nodes", timeout)
        finally:
            os.close(gate)

    def give_back(self) -> None:
        """Give this process's share back, if it holds one."""
        if self.share_fd is not None:
            os.close(self.share_fd)
            self.share_fd = None

    @contextmanager
    def alone(self, timeout: Timeout, needed: Callable[[], bool] = lambda: True) -> Iterator[bool]:
        """The nodes to this process alone for the block, if `needed()` (asked once no disruption
        is under way): its own share (if any) given back, every other share waited for;
        afterwards its share held again, as before. Yields whether the nodes were taken."""
        had_share = self.share_fd is not None
        self.give_back()
        gate = self._lock(self.turnstile, fcntl.LOCK_EX, "the turn to disrupt a node", timeout)
        try:
            taken = needed()
            fd = (self._lock(self.nodes, fcntl.LOCK_EX, "every other test of the run off the nodes", timeout) if taken
                  else self._lock(self.nodes, fcntl.LOCK_SH, "a share of the nodes", timeout))
            try:
                yield taken
            finally:
                if had_share:  # the turnstile is still held: no disruption can come between
                    fcntl.flock(fd, fcntl.LOCK_SH)
                    self.share_fd = fd
                else:
                    os.close(fd)
        finally:
            os.close(gate)

    def restart_kubelet(self, member: str, node: str, restart: Callable[[], KubeletRestart],
                        timeout: Timeout) -> KubeletRestart:
        """The kubelet of `node` restarted for the test `member`, whose Pod is ready for it: by a
        restart of the round that began after it asked, or else by `restart()`, the nodes to
        this process alone meanwhile. The round is closed afterwards, either way."""
        asked = self.round.ask(member)
        try:
            self.round.wait_for_the_others(timeout)
            with self.alone(timeout, needed=lambda: self.round.since(node, asked) is None) as taken:
                if not taken:
                    return self.round.since(node, asked)
                began = time.monotonic()
                restarted = restart()
                self.round.record(began, restarted)
                return restarted
        finally:
            self.round.close()


class TakingTurns:
    """pytest plugin of a process that runs tests: each test holds a share of the nodes from
    its setup until its teardown is done, kept on to the next test while that one is of the
    same class of shared Pods (session.workers.scope_of)."""

    def __init__(self, turns: Turns):
        self.turns = turns

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.turns.take_share(NODE_TURN, member=self.turns.round.is_member(item.nodeid))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None):
        try:
            return (yield)
        finally:
            self.turns.round.end(item.nodeid)
            if nextitem is None or scope_of(nextitem.nodeid) != scope_of(item.nodeid):
                self.turns.give_back()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """The run's kubelet restart round: its disrupting tests (the same in every process)."""
        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        self.turns.round.expect([item.nodeid for item in session.items if is_disruptive(item)], workers)


def is_disruptive(item: pytest.Item) -> bool:
    """The test restarts a kubelet (marked `disruptive`)."""
    return item.get_closest_marker("disruptive") is not None
