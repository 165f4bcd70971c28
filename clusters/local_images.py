"""Container images built locally from Dockerfiles under clusters/offline/images/.

An image is rebuilt only when the digest of its inputs (its Dockerfile folder, the
files copied into it, the build args, versions.env) differs from the label it carries.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from helpers.pins import VERSIONS_FILE

from .debian_base import ensure_base_image
from .images import docker_build, image_label
from .paths import OFFLINE_DIR
from .steps import say

INPUTS_LABEL = "io.github.sidecar-conformance.inputs"


def inputs_digest(paths: list[Path], extra: dict[str, str]) -> str:
    """sha256 over the given files (folders recursively), their names, and extra key/values."""
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    for key in sorted(extra):
        digest.update(f"{key}={extra[key]}".encode())
    return digest.hexdigest()[:16]


def build_local_image(folder: str, tag: str, *, files: dict[str, Path] | None = None,
                      build_args: dict[str, str] | None = None) -> str:
    """Build clusters/offline/images/<folder> as `tag`, with `files` copied into the context; return tag."""
    files = files or {}
    args = {"BASE": ensure_base_image(), **(build_args or {})}
    source = OFFLINE_DIR / "images" / folder
    digest = inputs_digest([source, VERSIONS_FILE, *files.values()], args)
    if image_label(tag, INPUTS_LABEL) == digest:
        say(f"{tag}: up to date")
        return tag
    with tempfile.TemporaryDirectory(prefix=f"context-{folder}-") as tmp:
        context = Path(tmp)
        shutil.copytree(source, context, dirs_exist_ok=True)
        for name, path in files.items():
            shutil.copy2(path, context / name)
        docker_build(tag, context, build_args=args, labels={INPUTS_LABEL: digest})
    return tag
