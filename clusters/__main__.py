"""python -m clusters {docker,prepare,cluster,delete,check}: the Makefile's cluster targets.

  docker   Docker running: Debian's docker.io installed and dockerd started when none answers
  prepare  Docker running; kind, kubectl and the node image ready (built locally offline)
  cluster  prepare, then create (or reuse) the kind cluster; writes .cluster/kubeconfig
  delete   delete the kind cluster (no-op when absent)
  check    smoke-check the cluster of .cluster/kubeconfig (or --kubeconfig)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from helpers.pins import pin

from .paths import KUBECONFIG, STATE_DIR
from .steps import StepFailed, exit_code_of, say


def _link_tools(kind: Path, kubectl: Path) -> None:
    """.cluster/bin/{kind,kubectl}: the exact tools the cluster was made with, for people and scripts."""
    bin_dir = STATE_DIR / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, target in (("kind", kind), ("kubectl", kubectl)):
        link = bin_dir / name
        link.unlink(missing_ok=True)
        link.symlink_to(target.resolve())


def _cluster(args: argparse.Namespace) -> None:
    from .provision import create_cluster

    recipe = create_cluster(args.name, args.kubeconfig)
    kubectl = recipe.kubectl_bin
    if args.kubeconfig.resolve() == KUBECONFIG.resolve():  # `make cluster`'s own cluster, not another one's
        _link_tools(recipe.kind_bin, recipe.kubectl_bin)
        kubectl = STATE_DIR / "bin" / "kubectl"
    say(f"cluster {args.name!r} ready: export KUBECONFIG={args.kubeconfig}  (kubectl: {kubectl})")


def _prepare(_args: argparse.Namespace) -> None:
    from .provision import prepare_kind

    recipe = prepare_kind()
    say(f"ready: kind {recipe.kind_bin}, node image {recipe.node_image}")


def _docker(_args: argparse.Namespace) -> None:
    from .docker_engine import ensure_docker

    ensure_docker()


def _delete(args: argparse.Namespace) -> None:
    from .provision import delete_cluster

    delete_cluster(args.name)


def _check(args: argparse.Namespace) -> int:
    from .smoke import run_checks

    kubectl = args.kubectl or STATE_DIR / "bin" / "kubectl"
    if not args.kubeconfig.is_file():
        raise StepFailed(f"no kubeconfig at {args.kubeconfig}: run `make cluster` first")
    if not kubectl.exists():
        raise StepFailed(f"no kubectl at {kubectl}: run `make cluster` first")
    return 1 if run_checks(kubectl, args.kubeconfig) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clusters", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["docker", "prepare", "cluster", "delete", "check"])
    parser.add_argument("--name", default=pin("CLUSTER_NAME"), help="kind cluster name")
    parser.add_argument("--kubeconfig", type=Path, default=KUBECONFIG, help="kubeconfig to write (cluster) or read (check)")
    parser.add_argument("--kubectl", type=Path, help="kubectl for check (default: .cluster/bin/kubectl)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    handler = {"docker": _docker, "prepare": _prepare, "cluster": _cluster, "delete": _delete, "check": _check}[args.command]
    code = exit_code_of(lambda: handler(args))
    if code == 0:
        say(f"{args.command}: finished in {time.monotonic() - started:.0f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
