"""Attach the run to an existing cluster through a kubeconfig (no kind involved)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from helpers.kube.cluster import PORT_FORWARD, ClusterTarget
from helpers.session.kubeconfigs import one_file
from helpers.session.leftovers import run_owner
from helpers.session.preflight import SessionError


def default_kubeconfig() -> str:
    """Where kubectl looks by default: $KUBECONFIG (a list of files is merged), else ~/.kube/config."""
    return os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")


def find_kubectl(explicit: str | None, needed: bool = True) -> str | None:
    """The kubectl to run port-forwards with: the given one, else the one on PATH; None when
    there is none and the run does not need one (it reaches Pods at their IPs)."""
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise SessionError(f"--kubectl {explicit}: not an executable file")
        return explicit
    found = shutil.which("kubectl")
    if not found and needed:
        raise SessionError("no kubectl on PATH (needed for port-forward); pass --kubectl PATH")
    return found


def context_names(path: str) -> list[str]:
    """The context names of kubeconfig `path`; SessionError when it cannot be read as one."""
    try:
        loaded = yaml.safe_load(Path(path).read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise SessionError(f"kubeconfig {path}: unreadable ({type(exc).__name__}: {reason})") from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("contexts"), list):
        raise SessionError(f"kubeconfig {path}: not a kubeconfig (no list of contexts)")
    return [c.get("name") for c in loaded["contexts"] if isinstance(c, dict)]


def attach(kubeconfig: str | None, context: str | None, kubectl: str | None, run_id: str, scratch: Path,
           reach: str = PORT_FORWARD) -> ClusterTarget:
    """An existing cluster: the file exists, the context is in it (preflight checks the rest). A
    list of files (a:b, as in KUBECONFIG) is merged into one file in `scratch`, as kubectl merges it."""
    path = one_file(kubeconfig or default_kubeconfig(), scratch)
    if not Path(path).is_file():
        raise SessionError(f"kubeconfig {path}: no such file")
    names = context_names(path)
    if context is not None:
        if context not in names:
            raise SessionError(f"--context {context}: not in {path} (has: {', '.join(names) or 'none'})")
    return ClusterTarget(str(Path(path).resolve()), context, find_kubectl(kubectl, reach == PORT_FORWARD), run_id,
                         owner=run_owner(), reach=reach)
