"""python -m tools.conformance: the operator's command (also the suite image's entry point).

  run         the suites (this process becomes their pytest): on a throwaway kind cluster by
              default, on an existing cluster with --kubeconfig (and --context); pytest's arguments
              after `--`. Its exit code is the verdict's (README: "The verdict").
  in-cluster  the suites in a Pod of the cluster (the suite's image, a ServiceAccount bound to the
              rules of tools/rbac only): its output streamed here, its results fetched into
              reports/in-cluster/, everything it created deleted (also on Ctrl-C). Exit code: the
              verdict's, 4 when the in-cluster run itself failed
  retrieve    the same for an in-cluster run started with --detach: follow, fetch, delete
  images      every image the suites' Pods pull, one per line, as --image-registry and --image-map
              rewrite them: the list to mirror (--in-cluster: and the suite's own image)
  cleanup     delete what runs left on a cluster: namespaces labelled by a run or kept from one,
              and in-cluster runs' objects
  version     the suite's version and the versions it pins
  compare     two runs' summary.json: the same verdict and check outcomes? (exit 1 when not)

Errors are one line on stderr and exit 1 (in-cluster and retrieve: 4).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from helpers.kube.images import ImageMap, parse_image_map, pinned_images
from helpers.pins import REPO_ROOT, pins
from helpers.reporting.verdict import EXIT_CODES, Verdict
from tools.conformance.version import DEFAULT_IMAGE, version_lines

DEFAULT_PYTEST_ARGS = ["-n", "14"]  # measured best on 2 cores (the Makefile's XDIST); a later -n wins
IN_CLUSTER_REPORTS = REPO_ROOT / "reports" / "in-cluster"
IN_CLUSTER_PROGRESS = ["-v"]  # the operator sees each test's result as it comes, not only dots
IN_POD_ARGS = ["--reach", "pod-ip", "-p", "no:cacheprovider"]  # the runner: no kubectl, a read-only checkout


def image_lines(registry: str | None, image_map: list[str], suite_image: str | None = None) -> list[str]:
    """The images the suites' Pods pull, rewritten as a run with these options would (and the
    suite's own image, for an in-cluster run)."""
    pinned = pinned_images(pins())
    images = ImageMap(pinned, registry, parse_image_map(image_map, pinned))
    return sorted({images.image(key) for key in pinned} | ({suite_image} if suite_image else set()))


def cleanup(kubeconfig: str | None, context: str | None) -> list[str]:
    """Delete the namespaces any run left (labelled with its run, or kept from one) and the objects
    of in-cluster runs, and wait until they are gone; what was deleted."""
    from kubernetes import client

    from helpers.kube.namespace import KEPT_LABEL, RUN_LABEL, sweep
    from tools.conformance.incluster import RUNNER_LABEL, InClusterRun, api_for, delete, left

    with api_for(kubeconfig, context) as api:
        core = client.CoreV1Api(api)
        runs = {ns.metadata.labels[RUNNER_LABEL] for ns in core.list_namespace(label_selector=RUNNER_LABEL).items}
        runs |= {o.metadata.labels[RUNNER_LABEL] for o in
                 client.RbacAuthorizationV1Api(api).list_cluster_role(label_selector=RUNNER_LABEL).items}
        deleted = []
        for run_id in sorted(runs):
            deleted += left(api, InClusterRun(run_id))
            delete(api, InClusterRun(run_id))
        return deleted + [f"namespace {name}" for name in sweep(core, RUN_LABEL) + sweep(core, KEPT_LABEL)]


def run(kubeconfig: str | None, context: str | None, in_cluster: bool, pytest_args: list[str]) -> None:
    """Become the suites' pytest (exec): its Ctrl-C, SIGTERM handling and exit code are the run's.
    On kind, Docker is made to answer first (installed and started when absent), and its answer
    handed to the run. In a Pod (--in-cluster): the cluster is the Pod's own, through its
    ServiceAccount, and Pods are reached at their IPs."""
    target = [*(["--kubeconfig", kubeconfig] if kubeconfig else []), *(["--context", context] if context else [])]
    if in_cluster:
        from tools.conformance.inpod import in_cluster_kubeconfig

        made = in_cluster_kubeconfig(Path(tempfile.mkdtemp(prefix="in-cluster-")) / "kubeconfig")
        target = ["--kubeconfig", str(made), *IN_POD_ARGS]
    elif not {"--kubeconfig", "--context"} & {arg.split("=")[0] for arg in [*target, *pytest_args]}:
        from clusters.docker_engine import ANSWERED_ENV, ensure_docker

        os.environ[ANSWERED_ENV] = ensure_docker()
    os.chdir(REPO_ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "pytest", "suites", *DEFAULT_PYTEST_ARGS, *target, *pytest_args])


def in_cluster(args: argparse.Namespace, suite_args: list[str]) -> int:
    """Start an in-cluster run (or find one, for retrieve); unless detached, follow it, fetch its
    results and delete it; the runner's exit code."""
    from tools.conformance import incluster

    into = Path(args.reports_dir).resolve()
    with incluster.api_for(args.kubeconfig, args.context) as api:
        if args.command == "retrieve":
            run_ = incluster.find_run(api, args.run_id)
        else:
            suite = [*DEFAULT_PYTEST_ARGS, *IN_CLUSTER_PROGRESS, *suite_args]
            run_ = incluster.start(api, args.image, args.image_pull_policy, suite)
            if args.detach:
                incluster.say(f"started in-cluster run {run_.run_id}; its results, and its clean-up:"
                              f" python -m tools.conformance retrieve --run-id {run_.run_id}"
                              + (f" --kubeconfig {args.kubeconfig}" if args.kubeconfig else ""))
                return 0
        try:
            with incluster.deleted_at_the_end(api, run_):
                return incluster.follow_and_fetch(api, run_, into)
        except KeyboardInterrupt:
            incluster.say(f"interrupted: in-cluster run {run_.run_id} deleted")
            return 130


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m tools.conformance", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = top.add_subparsers(dest="command", required=True)
    subs = {name: commands.add_parser(name, help=about) for name, about in (
        ("run", "the suites (kind by default)"), ("in-cluster", "the suites in a Pod of the cluster"),
        ("retrieve", "follow, fetch and delete a detached in-cluster run"), ("cleanup", "delete what runs left"))}
    for sub in subs.values():
        sub.add_argument("--kubeconfig", help="an existing cluster's kubeconfig (else: kind for run, kubectl's default"
                                              " for the others)")
        sub.add_argument("--context", help="a context of that kubeconfig")
    subs["run"].add_argument("--in-cluster", action="store_true",
                             help="inside a Pod of the cluster under test (what in-cluster's runner runs)")
    for name in ("in-cluster", "retrieve"):
        subs[name].add_argument("--reports-dir", default=str(IN_CLUSTER_REPORTS),
                                help="where the fetched results are unpacked (default reports/in-cluster)")
    subs["in-cluster"].add_argument("--image", default=DEFAULT_IMAGE, help=f"the suite's image (default {DEFAULT_IMAGE})")
    subs["in-cluster"].add_argument("--image-pull-policy", default="IfNotPresent", choices=("IfNotPresent", "Always", "Never"))
    subs["in-cluster"].add_argument("--detach", action="store_true", help="start the run and return (then: retrieve)")
    subs["retrieve"].add_argument("--run-id", help="the run to retrieve (default: the only one on the cluster)")
    for name in ("run", "in-cluster"):
        subs[name].add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: pytest's arguments")
    images = commands.add_parser("images", help="the images the suites pull, to mirror")
    images.add_argument("--image-registry", help="as the run's option: every image from this registry")
    images.add_argument("--image-map", action="append", default=[], help="as the run's option: FROM=TO")
    images.add_argument("--in-cluster", nargs="?", const=DEFAULT_IMAGE, metavar="IMAGE",
                        help=f"add the suite's own image (default {DEFAULT_IMAGE}), which an in-cluster run pulls")
    commands.add_parser("version", help="the suite's version and pins")
    both = commands.add_parser("compare", help="two runs' summary.json: the same outcomes?")
    both.add_argument("summaries", nargs=2, type=Path, metavar="SUMMARY_JSON")
    hold = commands.add_parser("hold-results", help="(the in-cluster Pod's results container)")
    hold.add_argument("folder", type=Path)
    hold.add_argument("--limit", type=float, required=True, help="seconds to wait for the fetch after SIGTERM")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    passed = [a for a in getattr(args, "pytest_args", []) if a != "--"]
    try:
        if args.command == "run":
            run(args.kubeconfig, args.context, args.in_cluster, passed)
        if args.command in ("in-cluster", "retrieve"):
            return in_cluster(args, passed)
        if args.command == "hold-results":
            from tools.conformance.inpod import hold

            return hold(args.folder, args.limit)
        if args.command == "compare":
            from tools.conformance.compare import compare

            same, lines = compare(*args.summaries)
            print("\n".join(lines))
            return 0 if same else 1
        if args.command == "images":
            lines = image_lines(args.image_registry, args.image_map, args.in_cluster)
        elif args.command == "version":
            lines = version_lines()
        else:
            lines = [f"deleted: {what}" for what in cleanup(args.kubeconfig, args.context)] or ["nothing left by a run"]
    except Exception as exc:  # one line, not a traceback: the operator's command
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"sidecar-conformance {args.command}: {type(exc).__name__}: {why}", file=sys.stderr)
        return EXIT_CODES[Verdict.SESSION_PROBLEM] if args.command in ("in-cluster", "retrieve") else 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
