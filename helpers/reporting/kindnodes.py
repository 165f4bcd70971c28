"""kind nodes are Docker containers: which one a node is, its image, its journal.

A kind node's `spec.providerID` is `kind://docker/<cluster>/<node>`, and its container
is named after the node. Nothing here is needed on clusters that are not kind.
"""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from datetime import datetime

from helpers.kube import children
from helpers.kube.timeouts import DOCKER_QUERY, NODE_LOG_QUERY

KIND_DOCKER_PROVIDER = "kind://docker/"
JOURNAL_TAIL_LINES = 200
SANDBOX_ID = re.compile(r'returns sandbox id \\?"([0-9a-f]{64})')


def container_of(provider_id: str | None) -> str | None:
    """The Docker container of a kind node, from its providerID; None for other nodes."""
    if not provider_id or not provider_id.startswith(KIND_DOCKER_PROVIDER):
        return None
    return provider_id.rstrip("/").rsplit("/", 1)[-1]


def docker(args: list[str], timeout: float) -> str:
    """Stdout of a docker command; RuntimeError with its last stderr line when it fails."""
    try:
        done = children.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"docker {args[0]}: {exc}") from None
    if done.returncode != 0:
        raise RuntimeError(f"docker {args[0]} failed (exit {done.returncode}): "
                           f"{(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    return done.stdout


def node_image(container: str) -> str:
    """The image the kind node container runs (as it was named when the cluster was created)."""
    return docker(["inspect", "--format", "{{.Config.Image}}", container], DOCKER_QUERY).strip()


def related_lines(lines: Iterable[str], terms: Iterable[str]) -> list[str]:
    """The lines naming any of `terms`, or a sandbox that a naming line created (containerd)."""
    wanted = {term for term in terms if term}
    found = []
    for line in lines:
        if any(term in line for term in wanted):
            found.append(line)
            wanted.update(SANDBOX_ID.findall(line))
    return found


def journal(container: str, unit: str, since: datetime, terms: Iterable[str]) -> str:
    """The last JOURNAL_TAIL_LINES lines of `unit` on the node since `since` that name `terms`."""
    output = docker(["exec", container, "journalctl", "--unit", unit, "--no-pager", "--output", "short-iso-precise",
                     "--since", f"{since:%Y-%m-%d %H:%M:%S} UTC"], NODE_LOG_QUERY)
    lines = related_lines(output.splitlines(), terms)
    if not lines:
        return f"(no {unit} lines since {since:%H:%M:%S} UTC name this test's namespace, Pods or containers)"
    cut = len(lines) - JOURNAL_TAIL_LINES
    return (f"({cut} earlier lines left out)\n" if cut > 0 else "") + "\n".join(lines[-JOURNAL_TAIL_LINES:])
