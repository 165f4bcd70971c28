"""Unit tests of thawing the frozen cgroups that stop a kind node from being deleted (clusters.frozen)."""
from __future__ import annotations

import pytest

from clusters import frozen, provision
from clusters.lookup import KindNodes
from clusters.steps import StepFailed


def test_the_node_init_processes_freezer_folder_is_read_from_proc(tmp_path):
    (tmp_path / "proc" / "42").mkdir(parents=True)
    (tmp_path / "proc" / "42" / "cgroup").write_text(
        "12:memory:/docker/abc\n6:freezer:/docker/abc\n1:name=systemd:/docker/abc\n")
    root = tmp_path / "freezer"
    assert frozen.freezer_dir(42, proc=tmp_path / "proc", root=root) == root / "docker" / "abc"
    assert frozen.freezer_dir(43, proc=tmp_path / "proc", root=root) is None  # no such process


def test_only_frozen_or_freezing_cgroups_under_the_node_are_thawed(tmp_path):
    states = {"": "THAWED", "kubepods/pod-a/cri-1": "FROZEN", "kubepods/pod-b/cri-2": "FREEZING",
              "kubepods/pod-b/cri-3": "THAWED"}
    for folder, state in states.items():
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "freezer.state").write_text(state + "\n")
    thawed = frozen.thaw_tree(tmp_path)
    assert thawed == [tmp_path / "kubepods/pod-a/cri-1", tmp_path / "kubepods/pod-b/cri-2"]
    assert {f: (tmp_path / f / "freezer.state").read_text().strip() for f in states} == dict.fromkeys(states, "THAWED")
    assert frozen.thaw_tree(tmp_path / "gone") == []  # a cgroup v2 host, or a node already gone


def test_a_failed_kind_delete_is_retried_once_after_a_thaw_and_fails_as_before_without_one(monkeypatch):
    calls = []

    def run_step(name, cmd, timeout):
        calls.append(cmd)
        if len(calls) == 1:
            raise StepFailed("did not receive an exit event")

    monkeypatch.setattr(provision, "run_step", run_step)
    monkeypatch.setattr(provision, "say", lambda line: None)
    monkeypatch.setattr(provision, "look_up", lambda name: KindNodes(name, {f"{name}-control-plane": False}))
    monkeypatch.setattr(provision, "thaw_nodes", lambda nodes: ["/sys/fs/cgroup/freezer/x"])
    provision.kind_delete("kind", "c1")
    assert len(calls) == 2 and calls[0] == ["kind", "delete", "cluster", "--name", "c1"]

    calls.clear()
    monkeypatch.setattr(provision, "thaw_nodes", lambda nodes: [])
    with pytest.raises(StepFailed, match="exit event"):
        provision.kind_delete("kind", "c1")
    assert len(calls) == 1  # nothing was frozen: the failure is another one, not retried
