"""KUBECONFIG given as a list of files: merged into one as kubectl merges them."""
from __future__ import annotations

import os

import yaml

from helpers.session.attach import attach
from helpers.session.kubeconfigs import merged, one_file


def write(path, current, name, server, ca="ca.crt"):
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": current,
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority": ca}}],
        "users": [{"name": name, "user": {"token": "t"}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}]}))
    return str(path)


def test_the_first_file_naming_something_wins_and_relative_paths_stay_relative_to_their_file(tmp_path):
    (tmp_path / "a").mkdir()
    first = write(tmp_path / "a" / "config", "one", "one", "https://one")
    second = write(tmp_path / "second", "", "one", "https://other")
    third = write(tmp_path / "third", "three", "three", "https://three", ca="/abs/ca.crt")
    config = merged([first, str(tmp_path / "missing"), second, third])
    assert config["current-context"] == "one"
    assert [c["name"] for c in config["clusters"]] == ["one", "three"]
    assert config["clusters"][0]["cluster"] == {"server": "https://one", "certificate-authority": str(tmp_path / "a" / "ca.crt")}
    assert config["clusters"][1]["cluster"]["certificate-authority"] == "/abs/ca.crt"


def test_one_file_is_used_as_it_is_and_a_list_is_merged_into_the_scratch_folder(tmp_path):
    first = write(tmp_path / "first", "one", "one", "https://one")
    assert one_file(first, tmp_path) == first
    second = write(tmp_path / "second", "", "two", "https://two")
    made = one_file(os.pathsep.join([first, second]), tmp_path / "")
    assert made == str(tmp_path / "kubeconfig")
    assert [c["name"] for c in yaml.safe_load(open(made))["contexts"]] == ["one", "two"]


def test_attach_takes_a_context_of_the_second_file_of_a_list(tmp_path):
    first = write(tmp_path / "first", "one", "one", "https://one")
    second = write(tmp_path / "second", "", "two", "https://two")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    target = attach(os.pathsep.join([first, second]), "two", "/bin/true", "run-1", scratch)
    assert target.kubeconfig == str(scratch / "kubeconfig") and target.context == "two"


def test_the_client_reads_the_merged_file(tmp_path):
    from kubernetes import config

    (tmp_path / "ca.crt").write_text("not read until a request is made\n")
    first = write(tmp_path / "first", "one", "one", "https://one.example:6443")
    second = write(tmp_path / "second", "", "two", "https://two.example:6443")
    with config.new_client_from_config(one_file(os.pathsep.join([first, second]), tmp_path), "two") as api:
        assert api.configuration.host == "https://two.example:6443"
