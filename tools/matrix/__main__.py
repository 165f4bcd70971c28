"""python -m tools.matrix {run,table,nightly}:

  run [VERSION ...]          build and run each version here (default: matrix.json's `build`
                             column), then rewrite docs/matrix.md from reports/matrix/*/
  table --out FILE FOLDER ...  results folders side by side (the nightly's last job)
  nightly                    matrix.json's nightly rows, as JSON for a workflow's matrix.include
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

from helpers.pins import REPO_ROOT, pin
from tools.matrix.versions import (  # stdlib only: `nightly` runs before any install
    build_versions,
    differences,
    nightly_include,
    rows,
)

DOC = REPO_ROOT / "docs" / "matrix.md"
RELEASE = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def _version_key(folder: Path) -> tuple[int, ...]:
    match = RELEASE.fullmatch(folder.name)
    return tuple(int(n) for n in match.groups()) if match else (0,)


def _preface() -> list[str]:
    from clusters import host
    from tools.matrix.run import RUN_ARGS

    unbuilt = [f"- {row.minor}: not built here: {row.why}" for row in rows() if not row.build]
    return [
        f"Written by `make matrix` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, each version built "
        f"offline from the Go module proxy and run on a kind cluster (kind {pin('KIND_VERSION')}) of this machine: "
        f"{platform.machine()}, {os.cpu_count()} cores, cgroup {'v1' if host.cgroup_v1() else 'v2'}"
        f"{', no CAP_SYS_RESOURCE' if host.lacks_cap_sys_resource() else ''}, containerd from Debian "
        f"{pin('DEBIAN_SUITE')}. Per version: reports/matrix/<version>/ (result.json, summary.json, JUnit files, "
        "step logs). Suites and controls run with `" + " ".join(RUN_ARGS) + "` (the kubelet restart family "
        "included), then the controls that bound a wall clock, one at a time. Which upstream bug each red cell of "
        "a regression check is, and the patches that fixed it: [regressions.md](regressions.md). "
        "A cell is the check's outcome in that sidecar style, with its reason when not a pass. "
        "The cold go build time is the one recorded when the version was first built here (build.json beside its "
        "binaries), whatever else the machine was doing then.",
        *unbuilt,
    ]


def write_doc() -> Path:
    """docs/matrix.md from every version folder under reports/matrix/."""
    from tools.matrix.run import MATRIX_REPORTS
    from tools.matrix.table import markdown

    folders = sorted((f for f in MATRIX_REPORTS.iterdir() if RELEASE.fullmatch(f.name)), key=_version_key)
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(markdown(folders, "Kubernetes versions, built and run here", _preface(), differences()))
    return DOC


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.matrix", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run")
    run.add_argument("versions", nargs="*")
    table = commands.add_parser("table")
    table.add_argument("--out", type=Path, required=True)
    table.add_argument("--title", default="Kubernetes versions side by side")
    table.add_argument("folders", nargs="+", type=Path)
    commands.add_parser("nightly")
    args = parser.parse_args(argv)
    if args.command == "nightly":
        print(json.dumps(nightly_include()))
        return 0
    if args.command == "table":
        from tools.matrix.table import markdown

        args.out.write_text(markdown(sorted(args.folders, key=_version_key), args.title, [], differences()))
        print(f"written {args.out}")
        return 0
    versions = args.versions or build_versions()
    bad = [v for v in versions if not RELEASE.fullmatch(v)]
    if bad:
        parser.error(f"not a Kubernetes release (vMAJOR.MINOR.PATCH): {', '.join(bad)}")
    from tools.matrix.run import run_version

    results = [run_version(version) for version in versions]
    print(f"[matrix] written {write_doc()}")
    for result in results:
        failed = [s["name"] for s in result["steps"] if s["exit"] != 0]
        print(f"[matrix] {result['version']}: {'all steps passed' if not failed else 'failed: ' + ', '.join(failed)}")
    return 0 if all(all(s["exit"] == 0 for s in r["steps"]) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
