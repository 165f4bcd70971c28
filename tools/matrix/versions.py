"""matrix.json: the versions `make matrix` builds here and the nightly runs, one row per minor."""
from __future__ import annotations

import json
from dataclasses import dataclass

from helpers.pins import REPO_ROOT

MATRIX_FILE = REPO_ROOT / "tools" / "matrix" / "matrix.json"


@dataclass(frozen=True)
class Row:
    """One minor: the patch built here (None: none can be, see why) and the nightly's kind and node image."""

    minor: str
    build: str | None
    why: str
    nightly: dict[str, str]


def rows() -> list[Row]:
    """Every row of matrix.json, oldest minor first."""
    data = json.loads(MATRIX_FILE.read_text())
    return [Row(r["minor"], r.get("build"), r.get("why", ""), r["nightly"]) for r in data["rows"]]


def build_versions() -> list[str]:
    """The patches `make matrix` builds and runs by default."""
    return [row.build for row in rows() if row.build]


def nightly_include() -> list[dict[str, str]]:
    """The nightly workflow's `matrix.include`: kubernetes, kind, image per row."""
    return [dict(row.nightly) for row in rows()]


def differences() -> dict[str, str]:
    """Check row (as docs/matrix.md names it) -> the upstream Kubernetes change that makes it fail on some versions."""
    return {entry["check"]: entry["why"] for entry in json.loads(MATRIX_FILE.read_text()).get("differences", [])}
