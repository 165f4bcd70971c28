"""A minimal Debian image made with debootstrap, the root of every locally built image.

The mirror is the one this machine's apt already uses (read from its sources), so
the build reaches nothing but the Debian package registry.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from helpers.pins import pin

from .docker_engine import apt_install
from .images import image_exists
from .steps import StepFailed, run_step

DEBOOTSTRAP_TIMEOUT = 900
IMPORT_TIMEOUT = 300
# debootstrap leaves its downloaded packages and apt lists behind; images run apt-get update anyway
TAR_EXCLUDES = "--exclude=./var/cache/apt/archives/*.deb --exclude=./var/lib/apt/lists/*"
APT_SOURCES = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*.list")),
               *sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))]


def base_image() -> str:
    """Tag of the local Debian base image for the pinned suite."""
    return f"localhost/sidecar-conformance/debian:{pin('DEBIAN_SUITE')}"


def mirrors_in(text: str, suite: str) -> list[str]:
    """Debian mirror URIs serving `suite` (main) in one apt sources file, one-line or deb822 form."""
    found = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 4 and fields[0] == "deb" and fields[2] == suite:
            found.append(fields[1] if not fields[1].startswith("[") else fields[2])
    for stanza in re.split(r"\n\s*\n", text):
        entry = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, flags=re.M))
        if "deb" in entry.get("Types", "").split() and suite in entry.get("Suites", "").split():
            found.extend(entry.get("URIs", "").split())
    return found


def apt_mirror(suite: str) -> str:
    """The first mirror for `suite` in this machine's apt configuration."""
    for source in APT_SOURCES:
        if source.is_file():
            found = mirrors_in(source.read_text(), suite)
            if found:
                return found[0]
    raise StepFailed(f"no Debian mirror for suite {suite!r} in {', '.join(map(str, APT_SOURCES))}")


def ensure_base_image() -> str:
    """Build the Debian base image once (debootstrap + docker import); return its tag."""
    tag = base_image()
    if image_exists(tag):
        return tag
    if shutil.which("debootstrap") is None:
        apt_install(["debootstrap"], "install debootstrap")
    suite = pin("DEBIAN_SUITE")
    with tempfile.TemporaryDirectory(prefix="debootstrap-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        run_step(
            f"debootstrap {suite}",
            ["debootstrap", "--variant=minbase", "--include=ca-certificates", suite, str(rootfs), apt_mirror(suite)],
            timeout=DEBOOTSTRAP_TIMEOUT,
        )
        run_step(
            f"import {tag}",
            ["sh", "-c", f'tar -C "{rootfs}" {TAR_EXCLUDES} -c . | docker import -c "CMD [\\"bash\\"]" - "{tag}"'],
            timeout=IMPORT_TIMEOUT,
        )
    return tag
