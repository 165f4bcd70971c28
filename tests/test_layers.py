"""The rooms import downwards only: helpers/kube (how to talk to a cluster) is the bottom."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers.pins import REPO_ROOT

OURS = ("helpers", "clusters", "tools", "suites", "controls", "conftest")
# room -> the rooms of ours it may import (itself always); helpers.pins (versions.env, the root)
# and helpers.behaviours (the registry) are leaves
ALLOWED = {
    "helpers/kube": (),
    "helpers/checks": ("helpers.kube", "helpers.pins"),
    "helpers/reporting": ("helpers.kube", "helpers.pins", "helpers.behaviours"),
    "suites": ("helpers.kube", "helpers.checks", "helpers.reporting", "helpers.pins", "helpers.behaviours"),
    "controls": ("helpers.kube", "helpers.checks", "helpers.reporting", "helpers.pins", "helpers.behaviours"),
}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module `path` imports (at any depth: lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def foreign_imports(room: str) -> list[str]:
    """`file: module` for each import of ours from outside what `room` may import."""
    own = room.replace("/", ".")
    allowed = (own, *ALLOWED[room])
    return [f"{path.relative_to(REPO_ROOT)}: {module}"
            for path in sorted((REPO_ROOT / room).rglob("*.py"))
            for module in sorted(imported_modules(path))
            if module.split(".")[0] in OURS and not any(module == a or module.startswith(a + ".") for a in allowed)]


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_room_imports_only_the_rooms_below_it(room):
    assert foreign_imports(room) == []


def test_the_bottom_is_seen_as_importing_nothing_of_ours_even_lazily(tmp_path, monkeypatch):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from helpers.reporting import evidence\n")
    assert imported_modules(sample) == {"helpers.reporting"}
