"""Children in process groups of their own die with their owner: on a timeout, SIGTERM, SIGINT."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers.kube import children, portforward
from helpers.pins import REPO_ROOT

GONE_WITHIN = 15.0  # seconds for a killed group to be gone (STOP_GRACE and some)


def owner_of(child: str) -> str:
    """An owner's script: starts `sh -c <child>`, prints its group, then waits to be signalled."""
    return ("import time; from helpers.kube import children; "
            f"p = children.popen(['sh', '-c', {child!r}]); print(p.pid, flush=True); time.sleep(60)")


OWNER = owner_of("sleep 300 & sleep 300")  # a child that starts a grandchild
# An owner of GROUPS groups that ignore SIGTERM, with a grace of GRACE seconds: prints the groups.
GROUPS, GRACE = 4, 2.0
STUBBORN_OWNER = ("import time; from helpers.kube import children; "
                  f"children.STOP_GRACE = {GRACE}; "
                  f"ps = [children.popen(['sh', '-c', \"trap '' TERM; sleep 300 & sleep 300\"]) for _ in range({GROUPS})]; "
                  "print(*[p.pid for p in ps], flush=True); time.sleep(60)")


def as_a_foreground_job() -> None:
    """In the owner: SIGINT not ignored, as in a terminal's job (a background one, CI's say, inherits it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_owner(script: str) -> subprocess.Popen:
    """`python -c script` in this repository, as a foreground job; its stdout piped."""
    return subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
                            preexec_fn=as_a_foreground_job)


def wait_started(pgid: int) -> None:
    """Until the group has its child and grandchild (bounded by GONE_WITHIN)."""
    deadline = time.monotonic() + GONE_WITHIN
    while len(members(pgid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(members(pgid)) >= 2


def members(pgid: int) -> list[int]:
    """Live (not zombie) processes of group `pgid`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_gone(pgid: int) -> list[int]:
    """The group's members left after waiting up to GONE_WITHIN for none."""
    deadline = time.monotonic() + GONE_WITHIN
    while (left := members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_timeout_kills_the_grandchildren_too():
    with pytest.raises(subprocess.TimeoutExpired) as raised:
        children.run(["sh", "-c", "sleep 300 & echo $$; sleep 300"], timeout=1, capture_output=True, text=True)
    pgid = int(raised.value.stdout.split()[0])
    assert wait_gone(pgid) == []
    assert pgid not in children.live_groups()


def test_run_returns_like_subprocess_run():
    done = children.run(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=10, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")
    with pytest.raises(subprocess.CalledProcessError):
        children.run(["false"], timeout=10, check=True)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_owner_signalled_ends_its_groups(signum):
    owner = start_owner(OWNER)
    try:
        pgid = int(owner.stdout.readline())
        wait_started(pgid)
        owner.send_signal(signum)
        assert owner.wait(timeout=GONE_WITHIN) != 0
        assert wait_gone(pgid) == []
    finally:
        owner.kill()
        owner.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_groups_get_the_signal_the_owner_got(signum, tmp_path):
    """As the terminal's Ctrl-C would have reached them, were they in its process group."""
    got = tmp_path / "got"
    child = f"trap 'echo INT > {got}; exit' INT; trap 'echo TERM > {got}; exit' TERM; sleep 300 & wait"
    owner = start_owner(owner_of(child))
    try:
        wait_started(int(owner.stdout.readline()))
        owner.send_signal(signum)
        owner.wait(timeout=GONE_WITHIN)
        assert got.read_text().strip() == signum.name.removeprefix("SIG")
    finally:
        owner.kill()
        owner.wait()


def test_stop_ends_a_long_lived_child():
    process = children.popen(["sh", "-c", "trap '' TERM; sleep 300 & sleep 300"])
    children.stop(process, grace=0.5)
    assert wait_gone(process.pid) == [] and process.pid not in children.live_groups()
    assert os.getpgid(os.getpid()) != process.pid


def test_an_ignored_sigint_stays_ignored():
    """A background job ignores SIGINT: the owner must not end its children on one."""
    ignoring = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); " + OWNER
    owner = start_owner(ignoring)
    try:
        pgid = int(owner.stdout.readline())
        owner.send_signal(signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            owner.wait(timeout=1.0)  # held: nothing may happen meanwhile
        assert members(pgid)
        owner.send_signal(signal.SIGTERM)
        owner.wait(timeout=GONE_WITHIN)
        assert wait_gone(pgid) == []
    finally:
        owner.kill()
        owner.wait()


def test_one_grace_for_all_groups():
    """Groups ignoring SIGTERM are SIGKILLed once the grace has passed, not after one grace each."""
    owner = start_owner(STUBBORN_OWNER)
    try:
        pgids = [int(pid) for pid in owner.stdout.readline().split()]
        for pgid in pgids:
            wait_started(pgid)
        signalled = time.monotonic()
        owner.send_signal(signal.SIGTERM)
        assert owner.wait(timeout=GROUPS * GRACE + GONE_WITHIN) == -signal.SIGTERM
        assert time.monotonic() - signalled < 2 * GRACE  # one grace per group: GROUPS * GRACE
        assert [wait_gone(pgid) for pgid in pgids] == [[]] * GROUPS
    finally:
        owner.kill()
        owner.wait()


def test_a_port_forward_dies_with_the_thread_that_started_it():
    """PR_SET_PDEATHSIG fires when the starting *thread* ends: why only a port-forward (one thread's
    `with` block) uses it."""
    started: list[subprocess.Popen] = []
    thread = threading.Thread(target=lambda: started.append(
        children.popen(["sleep", "300"], preexec_fn=portforward._die_with_parent)))
    thread.start()
    thread.join()
    try:
        assert started[0].wait(timeout=GONE_WITHIN) == -signal.SIGTERM
    finally:
        children.stop(started[0], grace=0)
