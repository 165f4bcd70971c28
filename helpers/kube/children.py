"""Child processes in process groups of their own, which die with their owner.

Every child this project starts (builds, kind, kubectl, docker, port-forwards) runs in a new
session: its own process group, so a timeout ends its grandchildren too (go's compilers,
kind's docker calls). Such a group no longer gets the terminal's Ctrl-C, so the owner ends
every group still alive when it exits (SIGTERM), and when it gets SIGTERM or SIGINT (passing
that signal on to the whole group, as the terminal's Ctrl-C would have reached it); then the
signal does what it did before (SIGINT: KeyboardInterrupt; SIGTERM: the process ends). An
owner killed with SIGKILL cannot do this; PR_SET_PDEATHSIG is no general backstop, because it
fires when the *thread* that started a child ends (kube.portforward uses it: a forward lives
within one thread).

Standard library only: the cluster build, the tools and the cluster layer all use it.
"""
from __future__ import annotations

import atexit
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STOP_GRACE = 5.0  # seconds between a group's SIGTERM (or SIGINT) and its SIGKILL
SIGNALS = (signal.SIGTERM, signal.SIGINT)

_lock = threading.RLock()  # a signal handler may run while the main thread holds it
_live: dict[int, subprocess.Popen] = {}  # process group id -> its leader
_stoppers: list[Callable[[], None]] = []  # for children started by others (pytest-kind's kind)
_signals_installed = False


def popen(command: list[str], **kwargs) -> subprocess.Popen:
    """Start `command` (subprocess.Popen's arguments) in a process group of its own, ended with
    this process (see the module); `stop` it when done."""
    _install()
    process = subprocess.Popen(command, start_new_session=True, **kwargs)
    with _lock:
        _live[process.pid] = process
    return process


def stop(process: subprocess.Popen, grace: float = STOP_GRACE) -> None:
    """End `process`'s whole group: SIGTERM, SIGKILL after `grace` seconds; reap the leader."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(process.pid, signal.SIGKILL)  # stragglers of a leader that did exit
    process.wait()
    with _lock:
        _live.pop(process.pid, None)


def run(command: list[str], *, timeout: float, input: str | bytes | None = None, check: bool = False,
        capture_output: bool = False, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run in a process group of its own: at `timeout` (required) the whole group is
    killed and subprocess.TimeoutExpired raised; on any exception (Ctrl-C) it is killed too."""
    if capture_output:
        kwargs.update(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    process = popen(command, **kwargs)
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise subprocess.TimeoutExpired(command, timeout, stdout, stderr) from None
    except BaseException:
        stop(process, grace=0)
        raise
    finally:
        with _lock:
            _live.pop(process.pid, None)
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if check:
        done.check_returncode()
    return done


@contextmanager
def stopped_on_exit(stop_others: Callable[[], None]) -> Iterator[None]:
    """While inside, `stop_others` also runs when this process exits or is signalled: for children
    a library starts itself (pytest-kind runs kind)."""
    _install()
    with _lock:
        _stoppers.append(stop_others)
    try:
        yield
    finally:
        with _lock:
            _stoppers.remove(stop_others)


def live_groups() -> list[int]:
    """The process groups started here and not yet ended (for tests and diagnostics)."""
    with _lock:
        return list(_live)


def end_all(signum: int = signal.SIGTERM) -> None:
    """End every group still alive (`signum`, then SIGKILL once STOP_GRACE has passed: one grace for
    all of them) and run the stoppers."""
    with _lock:
        processes, stoppers = list(_live.values()), list(_stoppers)
    for stopper in stoppers:
        stopper()
    for process in processes:
        _signal_group(process.pid, signum)
    deadline = time.monotonic() + STOP_GRACE
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(process.pid, signal.SIGKILL)
    with _lock:
        for process in processes:
            _live.pop(process.pid, None)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone (or its id reused by someone else's: not ours to signal)


def _install() -> None:
    """End the groups on SIGTERM/SIGINT, chaining to the handlers that were there: once, from the
    main thread (the first child started from it; import time otherwise)."""
    global _signals_installed
    if _signals_installed or threading.current_thread() is not threading.main_thread():
        return
    _signals_installed = True
    for signum in SIGNALS:
        previous = signal.getsignal(signum)
        if previous != signal.SIG_IGN:  # a signal this process ignores (a background job's SIGINT) stays ignored
            signal.signal(signum, _chained(signum, previous))


def _chained(signum: int, previous) -> Callable:
    def handler(received: int, frame) -> None:
        end_all(signum)
        if callable(previous):
            previous(received, frame)
        else:  # the default (or a handler set outside Python): end as it would
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
    return handler


atexit.register(end_all)
_install()
