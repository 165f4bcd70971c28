"""python -m tools.conformance: the operator's command.

  run       the suites (this process becomes their pytest): on a throwaway kind cluster by
            default, on an existing cluster with --kubeconfig (and --context); pytest's arguments
            after `--`. Its exit code is the verdict's (README: "The verdict").
  images    every image the suites' Pods pull, one per line, as --image-registry and --image-map
            rewrite them: the list to mirror
  cleanup   delete what runs left on a cluster: namespaces labelled by a run, or kept from one
  version   the suite's version and the versions it pins

Errors are one line on stderr and exit 1.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib

from helpers.kube import children
from helpers.kube.images import ImageMap, parse_image_map, pinned_images
from helpers.pins import REPO_ROOT, pin, pins

DEFAULT_PYTEST_ARGS = ["-n", "10"]  # measured best on 2 cores (reports/bench.md); a later -n wins
GIT_TIMEOUT = 10


def version_lines() -> list[str]:
    """The suite's version (pyproject.toml; the commit when run from a git checkout) and its pins."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    line = f"{project['name']} {project['version']}"
    try:
        described = children.run(["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
                                 capture_output=True, text=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        described = None
    if described is not None and described.returncode == 0:
        line += f" (commit {described.stdout.strip()})"
    return [line, f"kubernetes (kind's node image) {pin('KUBERNETES_VERSION')}", f"kind {pin('KIND_VERSION')}"]


def image_lines(registry: str | None, image_map: list[str]) -> list[str]:
    """The images the suites' Pods pull, rewritten as a run with these options would."""
    pinned = pinned_images(pins())
    images = ImageMap(pinned, registry, parse_image_map(image_map, pinned))
    return sorted({images.image(key) for key in pinned})


def cleanup(kubeconfig: str | None, context: str | None) -> list[str]:
    """Delete the namespaces any run left (labelled with its run, or kept from one) and wait until
    they are gone; their names."""
    from kubernetes import client, config

    from helpers.kube.namespace import KEPT_LABEL, RUN_LABEL, sweep

    with config.new_client_from_config(config_file=kubeconfig, context=context) as api:
        core = client.CoreV1Api(api)
        return sweep(core, RUN_LABEL) + sweep(core, KEPT_LABEL)


def run(kubeconfig: str | None, context: str | None, pytest_args: list[str]) -> None:
    """Become the suites' pytest (exec): its Ctrl-C, SIGTERM handling and exit code are the run's.
    On kind, Docker is made to answer first (installed and started when absent), and its answer
    handed to the run."""
    target = [*(["--kubeconfig", kubeconfig] if kubeconfig else []), *(["--context", context] if context else [])]
    if not {"--kubeconfig", "--context"} & {arg.split("=")[0] for arg in [*target, *pytest_args]}:
        from clusters.docker_engine import ANSWERED_ENV, ensure_docker

        os.environ[ANSWERED_ENV] = ensure_docker()
    os.chdir(REPO_ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "pytest", "suites", *DEFAULT_PYTEST_ARGS, *target, *pytest_args])


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m tools.conformance", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = top.add_subparsers(dest="command", required=True)
    for name, about in (("run", "the suites (kind by default)"), ("cleanup", "delete what runs left")):
        sub = commands.add_parser(name, help=about)
        sub.add_argument("--kubeconfig", help="an existing cluster's kubeconfig (cleanup: default as kubectl's)")
        sub.add_argument("--context", help="a context of that kubeconfig")
        if name == "run":
            sub.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: pytest's arguments")
    images = commands.add_parser("images", help="the images the suites pull, to mirror")
    images.add_argument("--image-registry", help="as the run's option: every image from this registry")
    images.add_argument("--image-map", action="append", default=[], help="as the run's option: FROM=TO")
    commands.add_parser("version", help="the suite's version and pins")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "run":
            run(args.kubeconfig, args.context, [a for a in args.pytest_args if a != "--"])
        if args.command == "images":
            lines = image_lines(args.image_registry, args.image_map)
        elif args.command == "version":
            lines = version_lines()
        else:
            swept = cleanup(args.kubeconfig, args.context)
            lines = [f"deleted: {name}" for name in swept] or ["nothing left by a run"]
    except Exception as exc:  # one line, not a traceback: the operator's command
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"sidecar-conformance {args.command}: {type(exc).__name__}: {why}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
