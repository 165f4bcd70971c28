"""What suite this is: its version, its commit, the versions it pins, its image's name."""
from __future__ import annotations

import os
import subprocess
import tomllib

from helpers.kube import children
from helpers.pins import REPO_ROOT, pin

GIT_TIMEOUT = 10
COMMIT_ENV = "SIDECAR_CONFORMANCE_COMMIT"  # set in the image, which has no .git
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
DEFAULT_IMAGE = f"localhost/sidecar-conformance/suite:{PROJECT['version']}"


def commit() -> str | None:
    """The checkout's `git describe --always --dirty`, else the one the image was built from."""
    try:
        described = children.run(["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
                                 capture_output=True, text=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        described = None
    if described is not None and described.returncode == 0:
        return described.stdout.strip()
    return os.environ.get(COMMIT_ENV) or None


def version_lines() -> list[str]:
    """The suite's version (pyproject.toml; the commit it was made from) and its pins."""
    line = f"{PROJECT['name']} {PROJECT['version']}"
    made_from = commit()
    if made_from:
        line += f" (commit {made_from})"
    return [line, f"kubernetes (kind's node image) {pin('KUBERNETES_VERSION')}", f"kind {pin('KIND_VERSION')}"]
