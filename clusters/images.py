"""Small questions and actions on local Docker images."""
from __future__ import annotations

from pathlib import Path

from helpers.kube import children

from .steps import output_of, run_step, succeeds

DOCKER_BUILD_TIMEOUT = 1200


def image_exists(tag: str) -> bool:
    """True when the local Docker engine holds `tag`."""
    return succeeds(["docker", "image", "inspect", tag], timeout=30)


def image_label(tag: str, label: str) -> str:
    """A label of a local image ('' when the image or label is missing)."""
    if not image_exists(tag):
        return ""
    return output_of(["docker", "image", "inspect", "-f", f'{{{{index .Config.Labels "{label}"}}}}', tag],
                     timeout=30).strip()


def docker_build(tag: str, context: Path, *, build_args: dict[str, str] | None = None,
                 labels: dict[str, str] | None = None) -> None:
    """`docker build` a plain Dockerfile (no BuildKit) with host networking, so apt reaches the mirror."""
    cmd = ["docker", "build", "--network", "host", "-t", tag]
    for key, value in (build_args or {}).items():
        cmd += ["--build-arg", f"{key}={value}"]
    for key, value in (labels or {}).items():
        cmd += ["--label", f"{key}={value}"]
    run_step(f"docker build {tag}", [*cmd, str(context)], timeout=DOCKER_BUILD_TIMEOUT,
             env={"DOCKER_BUILDKIT": "0"})


def save_images(tags: list[str], archive: Path) -> None:
    """`docker save` tags into one archive."""
    children.run(["docker", "save", "-o", str(archive), *tags], check=True, timeout=600)
