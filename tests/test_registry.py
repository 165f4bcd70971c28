"""One name per behaviour: the registry (helpers/behaviours.py), the four places of each
behaviour, README's table, and the constants that name a manifest's containers."""
from __future__ import annotations

import pytest

from helpers.behaviours import BEHAVIOURS, REGISTRY, markers
from helpers.checks import lifecycle
from helpers.kube import manifests
from helpers.kube.sidecar import sidecar_names
from helpers.pins import REPO_ROOT

NOT_BEHAVIOURS = {"manifests": {"tutorial", "bench"},  # the tutorial's examples as written; make bench's Pods
                  "suites": {"test_tutorial.py", "__init__.py"}, "controls": {"test_bad_input.py", "conftest.py", "__init__.py"}}


@pytest.mark.parametrize("name", list(BEHAVIOURS))
def test_each_behaviour_has_its_four_places(name):
    places = [REPO_ROOT / "suites" / f"test_{name}.py", REPO_ROOT / "helpers" / "checks" / f"{name}.py",
              REPO_ROOT / "controls" / f"test_{name}.py"]
    assert [place for place in places if not place.is_file()] == []
    assert list((REPO_ROOT / "manifests" / name).glob("*.yaml")), f"manifests/{name}/ holds no Pod"


def test_nothing_outside_a_behaviour_but_the_named_exceptions():
    assert {p.name for p in (REPO_ROOT / "manifests").iterdir()} == set(BEHAVIOURS) | NOT_BEHAVIOURS["manifests"]
    for room in ("suites", "controls"):
        files = {p.name for p in (REPO_ROOT / room).glob("*.py")}
        assert files == {f"test_{name}.py" for name in BEHAVIOURS} | NOT_BEHAVIOURS[room], room


def test_readme_table_lists_the_registry_in_order():
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Behaviour | What is asserted"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip())
    assert rows == [scenario.title for scenario in REGISTRY]


def test_every_behaviour_is_a_marker_once():
    names = [line.split(":")[0].split("(")[0] for line in markers()]
    assert len(names) == len(set(names)) and set(BEHAVIOURS) <= set(names)


def containers_of(manifest: str) -> list[str]:
    template = manifests.pod_template(manifests.load(manifest)[0])
    return [c["name"] for c in manifests.containers(template)]


def sidecars_of(manifest: str) -> list[str]:
    return sidecar_names(manifests.pod_template(manifests.load(manifest)[0]))


def test_container_name_constants_match_their_manifests():
    assert lifecycle.ORDER == sidecars_of("lifecycle/lifecycle-order.yaml")
    assert sorted(lifecycle.ORDER_POD) == sorted(containers_of("lifecycle/lifecycle-order.yaml"))
    stuck = sidecars_of("lifecycle/lifecycle-stuck.yaml")
    assert lifecycle.STUCK_RUNNING + lifecycle.STUCK_NEVER_STARTED[:1] == stuck
    everything = lifecycle.STUCK_RUNNING + lifecycle.STUCK_NEVER_STARTED
    assert sorted(everything) == sorted(containers_of("lifecycle/lifecycle-stuck.yaml"))
