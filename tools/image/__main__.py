"""python -m tools.image [--tag TAG] [--kind-cluster NAME --kind KIND]: build the suite's image.

The image holds the suites, manifests, helpers, tools and the cluster build's Python (the
operator's command imports it in kind mode), and the dependencies at the versions this
checkout's .venv runs, installed here by pip (cp311, manylinux) so the build itself needs no
network. Its base is the pinned Python image, built from Debian's packages when no registry
answers. Rebuilt only when its inputs change; then it must answer `--help` and `version`.
With --kind-cluster the image is loaded into that kind cluster's nodes.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clusters.images import docker_build, image_exists, image_label
from clusters.local_images import INPUTS_LABEL, build_local_image, inputs_digest
from clusters.paths import CACHE_ROOT
from clusters.registry import registry_reachable
from clusters.steps import StepFailed, output_of, run_step, say
from helpers.pins import REPO_ROOT, pin
from tools.conformance.version import DEFAULT_IMAGE, commit

HERE = Path(__file__).resolve().parent
SUITE_PARTS = ("suites", "manifests", "helpers", "tools", "clusters", "conftest.py", "pyproject.toml")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")
PIP_TIMEOUT = 600
SMOKE_TIMEOUT = 60
KIND_LOAD_TIMEOUT = 600
PLATFORM = ["--platform", "manylinux2014_x86_64", "--only-binary=:all:", "--python-version", "3.11",
            "--implementation", "cp"]  # the base's Python: Debian bookworm's 3.11


def requirements() -> str:
    """The dependencies as this checkout's .venv holds them (pip freeze, the linter left out)."""
    frozen = output_of([sys.executable, "-m", "pip", "freeze", "--exclude", "ruff"], timeout=PIP_TIMEOUT)
    return "".join(line + "\n" for line in sorted(frozen.splitlines()) if line and not line.startswith("-e"))


def site_packages(pinned: str) -> Path:
    """The dependencies installed for the image's Python, cached by their list."""
    folder = CACHE_ROOT / f"image-site-packages-{hashlib.sha256(pinned.encode()).hexdigest()[:16]}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="image-requirements-") as scratch:
        listed = Path(scratch) / "requirements.txt"
        listed.write_text(pinned)
        run_step("pip install the image's dependencies", [sys.executable, "-m", "pip", "install", "--quiet",
                 "--no-deps", "--target", str(folder), *PLATFORM, "-r", str(listed)], timeout=PIP_TIMEOUT)
    (folder / ".complete").write_text(pinned)
    return folder


def base_image() -> str:
    """The pinned Python image, here: pulled by docker build when a registry answers, else built."""
    base = pin("PYTHON_IMAGE")
    if image_exists(base) or registry_reachable():
        return base
    return build_local_image("python", base)


def stage(context: Path, packages: Path) -> None:
    """The build context: suite/ and site-packages/, the Dockerfile."""
    for part in SUITE_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, context / "suite" / part, ignore=SKIPPED)
        else:
            shutil.copy2(source, context / "suite" / part)
    shutil.copytree(packages, context / "site-packages", ignore=shutil.ignore_patterns(".complete"))
    shutil.copy2(HERE / "Dockerfile", context / "Dockerfile")


def build(tag: str) -> bool:
    """Build `tag` unless it is up to date; True when it was built."""
    pinned = requirements()
    packages = site_packages(pinned)
    args = {"BASE": base_image(), "COMMIT": commit() or "unknown"}
    digest = inputs_digest([REPO_ROOT / part for part in SUITE_PARTS], {**args, "requirements": pinned})
    if image_label(tag, INPUTS_LABEL) == digest:
        say(f"{tag}: up to date")
        return False
    with tempfile.TemporaryDirectory(prefix="context-suite-image-") as scratch:
        context = Path(scratch)
        stage(context, packages)
        docker_build(tag, context, build_args=args, labels={INPUTS_LABEL: digest})
    return True


def smoke(tag: str) -> list[str]:
    """What the image prints for `--help` (its first line) and `version`: it must run both."""
    shown = []
    for args in (["--help"], ["version"]):
        try:
            done = subprocess.run(["docker", "run", "--rm", tag, *args], capture_output=True, text=True,
                                  timeout=SMOKE_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise StepFailed(f"{tag} {' '.join(args)}: no answer within {SMOKE_TIMEOUT}s") from None
        if done.returncode != 0:
            raise StepFailed(f"{tag} {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
        lines = done.stdout.strip().splitlines()
        shown.extend(lines[:1] if args == ["--help"] else lines)
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.image", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tag", default=DEFAULT_IMAGE, help=f"the image's name (default {DEFAULT_IMAGE})")
    parser.add_argument("--kind-cluster", help="load the image into this kind cluster's nodes")
    parser.add_argument("--kind", default=str(REPO_ROOT / ".cluster" / "bin" / "kind"),
                        help="the kind binary for --kind-cluster (default: make cluster's)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        built = build(args.tag)
        size = int(output_of(["docker", "image", "inspect", "--format", "{{.Size}}", args.tag], timeout=30))
        say(f"image {args.tag}: {'built' if built else 'up to date'} in {time.monotonic() - started:.0f}s,"
            f" {size / 1e6:.0f} MB")
        for line in smoke(args.tag):
            say(f"image {args.tag} answers: {line}")
        if args.kind_cluster:
            run_step(f"kind load {args.tag}", [args.kind, "load", "docker-image", "--name", args.kind_cluster,
                     args.tag], timeout=KIND_LOAD_TIMEOUT)
    except StepFailed as exc:
        print(f"make image: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
