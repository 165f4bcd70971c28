"""Turns on the cluster's nodes: a test that disrupts a node (restarts its kubelet) has the
nodes to itself for that moment, and no other test of the run is between its start and its
end then. Every test holds a share from its setup to its teardown (a class of tests sharing
Pods, from its first test's setup to its last one's teardown); a disruption waits until the
shares are given back, while new ones wait for it. The processes of a run (xdist workers)
take turns through two lock files in the folder they share: a turnstile, which a disruption
holds while it waits and runs, so that shares cannot starve it, and the nodes' lock itself
(shared by tests, exclusive for a disruption).
"""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers.kube.timeouts import NODE_TURN, Timeout
from helpers.kube.waits import WaitTimeout
from helpers.session.workers import scope_of

LOCK_POLL = 0.1  # seconds between tries of a lock another process holds


class Turns:
    """This process's place in the run's turns on the nodes (one per process)."""

    def __init__(self, folder: Path):
        self.turnstile = folder / "turnstile.lock"
        self.nodes = folder / "nodes.lock"
        self.share_fd: int | None = None

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

    def take_share(self, timeout: Timeout) -> None:
        """Hold a share of the nodes (no disruption until it is given back); idempotent."""
        if self.share_fd is not None:
            return
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
    def alone(self, timeout: Timeout) -> Iterator[None]:
        """The nodes to this process alone for the block: its own share (if any) given back,
        every other share waited for; afterwards its share held again, as before."""
        had_share = self.share_fd is not None
        self.give_back()
        gate = self._lock(self.turnstile, fcntl.LOCK_EX, "the turn to disrupt a node", timeout)
        try:
            fd = self._lock(self.nodes, fcntl.LOCK_EX, "every other test of the run off the nodes", timeout)
            try:
                yield
            finally:
                if had_share:  # the turnstile is still held: no disruption can come between
                    fcntl.flock(fd, fcntl.LOCK_SH)
                    self.share_fd = fd
                else:
                    os.close(fd)
        finally:
            os.close(gate)


class TakingTurns:
    """pytest plugin of a process that runs tests: each test holds a share of the nodes from
    its setup until its teardown is done, kept on to the next test while that one is of the
    same class of shared Pods (session.workers.scope_of)."""

    def __init__(self, turns: Turns):
        self.turns = turns

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.turns.take_share(NODE_TURN)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None):
        try:
            return (yield)
        finally:
            if nextitem is None or scope_of(nextitem.nodeid) != scope_of(item.nodeid):
                self.turns.give_back()
