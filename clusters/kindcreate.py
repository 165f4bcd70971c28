"""`kind create cluster` through pytest-kind, with a bound and one kubeconfig home.

pytest-kind's KindCluster runs kind with no timeout and makes a `.pytest-kind/<name>` folder
in the working directory for tools we never let it download. Here its creation is stopped
after CREATE_TIMEOUT (kind's processes of this one are ended, the half-made cluster deleted
by the caller's clean-up) and the empty folder is removed: kubeconfigs live in `.cluster/`.
"""
from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

from pytest_kind import KindCluster

from helpers.kube import children

from .recipe import KindRecipe
from .steps import StepFailed

CREATE_TIMEOUT = 600  # measured 25-60 s on 2 cores; a cold, loaded machine gets ten times that


def _parents() -> dict[int, int]:
    """Every process's parent, as /proc shows them now."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    return found


def kind_children(kind_bin: Path, name: str) -> list[int]:
    """Processes of this one running `kind create cluster --name=<name>` with `kind_bin` (itself,
    or the interpreter of a script)."""
    found = []
    for pid in _children_of(os.getpid(), _parents()):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        if os.fsencode(kind_bin) in argv[:2] and f"--name={name}".encode() in argv:
            found.append(pid)
    return found


def _children_of(pid: int, parents: dict[int, int]) -> list[int]:
    """The processes `pid` started."""
    return [child for child, parent in parents.items() if parent == pid]


def _descendants(pid: int, parents: dict[int, int]) -> list[int]:
    """The processes `pid` started, theirs, and so on."""
    below = _children_of(pid, parents)
    return below + [deeper for child in below for deeper in _descendants(child, parents)]


def _stop(kind_bin: Path, name: str) -> None:
    """SIGTERM kind's processes of this one and all they started: a killed kind leaves its docker
    calls running (they are not in a process group of ours: pytest-kind starts kind)."""
    parents = _parents()
    for pid in kind_children(kind_bin, name):
        for each in (*_descendants(pid, parents), pid):
            try:
                os.kill(each, signal.SIGTERM)
            except ProcessLookupError:
                pass


def create_bounded(name: str, kubeconfig: Path, recipe: KindRecipe) -> None:
    """`kind create cluster` of `recipe` as pytest-kind runs it, ended after CREATE_TIMEOUT with
    one line (StepFailed)."""
    cluster = KindCluster(name, kubeconfig, image=recipe.node_image,
                          kind_path=recipe.kind_bin, kubectl_path=recipe.kubectl_bin)
    for folder in (cluster.path, cluster.path.parent):  # made by its constructor, never used: we pass every path
        try:
            folder.rmdir()
        except OSError:
            break  # not empty: someone else's
    watchdog = threading.Timer(CREATE_TIMEOUT, _stop, args=(recipe.kind_bin, name))
    watchdog.start()
    try:
        with children.stopped_on_exit(lambda: _stop(recipe.kind_bin, name)):  # kind is pytest-kind's child
            cluster.create(recipe.config_file)
    except subprocess.CalledProcessError as err:
        if not watchdog.is_alive():
            raise StepFailed(f"kind create cluster {name!r} did not finish within {CREATE_TIMEOUT}s") from None
        raise StepFailed(f"kind create cluster {name!r} failed (exit {err.returncode}); its output is above") from None
    finally:
        watchdog.cancel()
