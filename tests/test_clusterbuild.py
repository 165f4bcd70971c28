"""Unit tests of the cluster build's pure parts (no Docker, no cluster)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest
import yaml

from clusters import host, kind_config
from clusters.binaries import kubernetes_ldflags
from clusters.component_images import etcd_version, image_tag, sandbox_image
from clusters.debian_base import mirrors_in
from clusters.gomodule import GoModule, unserved_modules, wrapper_go_mod
from clusters.local_images import inputs_digest
from clusters.smoke import SMOKE_MANIFEST, CheckFailed, Stuck, pods_ready
from clusters.steps import StepFailed
from helpers.pins import parse_env_file, pin, suite_images

REPO = Path(__file__).resolve().parent.parent
FULL_CAPS = "000001ffffffffff"
NO_SYS_RESOURCE = "000001fffeffffff"


def test_env_file_rejects_a_line_without_equals():
    assert parse_env_file("# c\nA=1\n\nB = two\n") == {"A": "1", "B": "two"}
    with pytest.raises(ValueError, match="line 2"):
        parse_env_file("A=1\nnonsense\n")


def test_mirror_is_read_from_both_apt_source_formats():
    one_line = "deb http://mirror.example/debian bookworm main\ndeb http://sec.example bookworm-security main\n"
    deb822 = ("Types: deb\nURIs: http://other.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n"
              "Types: deb\nURIs: http://sec.example\nSuites: bookworm-security\n")
    assert mirrors_in(one_line, "bookworm") == ["http://mirror.example/debian"]
    assert mirrors_in(deb822, "bookworm") == ["http://other.example/debian"]
    assert mirrors_in(deb822, "trixie") == []


def test_wrapper_repoints_required_local_replaces_only():
    upstream = """module example.org/server/v3

go 1.24
godebug default=go1.24

require (
\texample.org/api/v3 v0.0.0
\texample.org/client/v2 v2.305.16
\texample.org/other v1.2.3 // indirect
)

replace (
\texample.org/api/v3 => ../api
\texample.org/client/v2 => ../client/v2
)

replace example.org/forbidden => ./FORBIDDEN_DEPENDENCY
"""
    text = wrapper_go_mod(GoModule("example.org/server/v3", "v3.5.16", lambda _m: "v3.5.16"), upstream)
    assert "require example.org/server/v3 v3.5.16" in text
    assert "replace example.org/api/v3 => example.org/api/v3 v3.5.16" in text  # v0.0.0: the sibling's version
    assert "replace example.org/client/v2 => example.org/client/v2 v2.305.16" in text  # as required upstream
    assert "forbidden" not in text
    assert "go 1.24" in text and "godebug default=go1.24" in text


def test_ldflags_set_version_in_both_version_packages():
    flags = kubernetes_ldflags("v1.34.11", "2026-08-20T15:15:36Z")
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        assert f"-X {package}.gitVersion=v1.34.11" in flags
        assert f"-X {package}.gitMinor=34" in flags


@pytest.mark.parametrize("caps, lacks", [(FULL_CAPS, False), (NO_SYS_RESOURCE, True)])
def test_capability_detection(tmp_path, caps, lacks):
    status = tmp_path / "status"
    status.write_text(f"Name:\tx\nCapBnd:\t{caps}\n")
    assert host.lacks_cap_sys_resource(status) is lacks


def test_cgroup_version_detection(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n")
    assert not host.cgroup_v1(mounts)
    mounts.write_text("tmpfs /sys/fs/cgroup tmpfs rw 0 0\n")
    assert host.cgroup_v1(mounts)


def _config(monkeypatch, *, lacks_cap: bool, v1: bool, local: bool, hosts_dir=None) -> dict:
    monkeypatch.setattr(host, "lacks_cap_sys_resource", lambda: lacks_cap)
    monkeypatch.setattr(host, "cgroup_v1", lambda: v1)
    return yaml.safe_load(kind_config.kind_config(node_has_runc_nocap=local, kubernetes_minor=34,
                                                  containerd_hosts_dir=hosts_dir))


def test_kind_config_is_stock_on_a_normal_host(monkeypatch):
    config = _config(monkeypatch, lacks_cap=False, v1=False, local=False)
    assert "containerdConfigPatches" not in config
    kubelet = yaml.safe_load(config["kubeadmConfigPatches"][0])
    assert kubelet == {"kind": "KubeletConfiguration", "syncFrequency": kind_config.KUBELET_SYNC_FREQUENCY}


def test_kind_config_adds_host_workarounds_only_where_needed(monkeypatch):
    patches = _config(monkeypatch, lacks_cap=True, v1=True, local=True)
    containerd = patches["containerdConfigPatches"][0]
    assert "restrict_oom_score_adj = true" in containerd
    assert kind_config.RUNC_NOCAP_IN_NODE in containerd
    assert yaml.safe_load(patches["kubeadmConfigPatches"][0])["failCgroupV1"] is False
    stock_image = _config(monkeypatch, lacks_cap=True, v1=False, local=False)["containerdConfigPatches"][0]
    assert kind_config.RUNC_NOCAP_IN_NODE not in stock_image  # a stock node image has no wrapper


def test_kind_config_pulls_through_the_given_mirrors(monkeypatch, tmp_path):
    config = _config(monkeypatch, lacks_cap=True, v1=True, local=True, hosts_dir=tmp_path)
    mount = config["nodes"][0]["extraMounts"][0]
    assert mount == {"hostPath": str(tmp_path), "containerPath": kind_config.CONTAINERD_HOSTS_IN_NODE, "readOnly": True}
    containerd = tomllib.loads(config["containerdConfigPatches"][0])["plugins"]["io.containerd.grpc.v1.cri"]
    assert containerd["registry"]["config_path"] == kind_config.CONTAINERD_HOSTS_IN_NODE
    assert containerd["restrict_oom_score_adj"] is True
    assert "extraMounts" not in _config(monkeypatch, lacks_cap=False, v1=False, local=False)["nodes"][0]


def test_inputs_digest_follows_content(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    first = inputs_digest([tmp_path], {"A": "1"})
    assert inputs_digest([tmp_path], {"A": "1"}) == first
    assert inputs_digest([tmp_path], {"A": "2"}) != first
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY x /x\n")
    assert inputs_digest([tmp_path], {"A": "1"}) != first


def test_sandbox_image_is_read_from_containerd_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[plugins."io.containerd.grpc.v1.cri"]\n  # c\n  sandbox_image = "registry.k8s.io/pause:3.10"\n')
    assert sandbox_image(config) == "registry.k8s.io/pause:3.10"


def test_smoke_manifest_uses_exactly_the_pinned_test_images():
    images = {c["image"] for doc in yaml.safe_load_all(SMOKE_MANIFEST.read_text()) if doc["kind"] == "Pod"
              for c in doc["spec"]["containers"]}
    assert images == set(suite_images())
    assert pin("KUBERNETES_VERSION") in pin("ONLINE_NODE_IMAGE")


@pytest.mark.skipif(shutil.which("jq") is None, reason="the runc wrapper needs jq")
@pytest.mark.parametrize("command", ["create", "run", "exec"])
def test_runc_wrapper_drops_cap_sys_resource_and_runs_real_runc(tmp_path, command):
    spec = {"process": {"capabilities": {"bounding": ["CAP_CHOWN", "CAP_SYS_RESOURCE"],
                                         "effective": ["CAP_SYS_RESOURCE"]}}}
    target = tmp_path / ("process.json" if command == "exec" else "config.json")
    target.write_text(json.dumps(spec if command != "exec" else spec["process"]))
    fake_runc = tmp_path / "runc"
    fake_runc.write_text('#!/bin/sh\necho "real runc: $*"\n')
    fake_runc.chmod(0o755)
    args = ["--root", "/run/x", command] + (["--process", str(target), "id"] if command == "exec"
                                             else ["--bundle", str(tmp_path), "id"])
    done = subprocess.run([str(REPO / "clusters" / "offline" / "runc-nocap"), *args], capture_output=True, text=True,
                          env={**os.environ, "RUNC_NOCAP_REAL": str(fake_runc)}, check=True)
    assert done.stdout.strip() == f"real runc: {' '.join(args)}"
    assert "CAP_SYS_RESOURCE" not in target.read_text()
    assert "CAP_CHOWN" in target.read_text()


def test_runc_wrapper_leaves_a_spec_without_cap_sys_resource_alone(tmp_path):
    spec = json.dumps({"process": {"capabilities": {"bounding": ["CAP_CHOWN"]}}}, indent=1)
    (tmp_path / "config.json").write_text(spec)
    for name, script in (("runc", 'echo "real runc: $*"'), ("jq", "echo jq ran >&2; exit 1")):
        (tmp_path / name).write_text(f"#!/bin/sh\n{script}\n")
        (tmp_path / name).chmod(0o755)
    done = subprocess.run([str(REPO / "clusters" / "offline" / "runc-nocap"), "create", "--bundle", str(tmp_path), "id"],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "RUNC_NOCAP_REAL": str(tmp_path / "runc"),
                               "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert done.stdout.strip() == f"real runc: create --bundle {tmp_path} id"
    assert (tmp_path / "config.json").read_text() == spec  # not rewritten: jq (~35 ms a call) never ran


def test_a_pin_is_overridden_only_by_its_prefixed_variable(monkeypatch):
    import helpers.pins as pins_module

    pins_module.pins.cache_clear()
    monkeypatch.setenv("KIND_VERSION", "v0.1.0")  # an unrelated variable of the same name
    monkeypatch.setenv("SIDECAR_CONFORMANCE_KUBERNETES_VERSION", "v1.29.14")
    try:
        assert pins_module.pin("KUBERNETES_VERSION") == "v1.29.14"
        assert pins_module.pin("KIND_VERSION") == parse_env_file(pins_module.VERSIONS_FILE.read_text())["KIND_VERSION"]
    finally:
        pins_module.pins.cache_clear()


def test_component_versions_come_from_kubeadms_image_tags():
    assert etcd_version("registry.k8s.io/etcd:3.5.12-0") == "v3.5.12"
    assert image_tag("registry.k8s.io/coredns/coredns:v1.11.1") == "v1.11.1"
    assert image_tag("registry.k8s.io/pause:3.10") == "3.10"


def test_unserved_modules_are_named_with_the_refusal_and_no_url():
    output = """go: finding module for package x
/root/go/pkg/mod/k8s.io/kubernetes@v1.29.6/pkg/a.go:44:2: k8s.io/endpointslice@v0.29.6: reading https://proxy.example/k8s.io/endpointslice/@v/v0.29.6.zip: 403 Forbidden
	server response: This module version is not available.
/root/go/pkg/mod/k8s.io/kubernetes@v1.29.6/pkg/b.go:45:2: k8s.io/endpointslice@v0.29.6: reading https://proxy.example/k8s.io/endpointslice/@v/v0.29.6.zip: 403 Forbidden
	k8s.io/kube-proxy/config/v1alpha1: k8s.io/kube-proxy@v0.31.13: verifying module: k8s.io/kube-proxy@v0.31.13: reading https://proxy.example/sumdb/lookup/k8s.io/kube-proxy@v0.31.13: 404 Not Found
"""
    assert unserved_modules(output) == ["k8s.io/endpointslice@v0.29.6 (403 Forbidden)",
                                        "k8s.io/kube-proxy@v0.31.13 (404 Not Found)"]
    assert unserved_modules("go: build failed: syntax error") == []


def _pod(name, ready, waiting=None):
    status = {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
              "containerStatuses": [{"name": "c", "state": {"waiting": waiting} if waiting else {"running": {}}}]}
    return {"metadata": {"name": name}, "status": status}


def test_smoke_pods_stop_at_once_on_a_pull_back_off_and_wait_otherwise():
    pods_ready([_pod("a", True)])
    with pytest.raises(Stuck, match=r"^b/c: ImagePullBackOff: Back-off pulling image x$"):
        pods_ready([_pod("a", True), _pod("b", False, {"reason": "ImagePullBackOff", "message": "Back-off pulling image x"})])
    with pytest.raises(CheckFailed, match=r"not Ready .*\['b'\]") as raised:
        pods_ready([_pod("a", True), _pod("b", False, {"reason": "ContainerCreating"})])
    assert not isinstance(raised.value, Stuck)


def running(pid: int) -> bool:
    """`pid` is alive (not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kind_create_is_ended_after_its_bound_with_one_line(tmp_path, monkeypatch):
    """Kind ended with what it started (kind leaves its docker calls running when killed)."""
    from clusters import kindcreate
    from clusters.recipe import KindRecipe

    kind = tmp_path / "kind"
    kind.write_text("#!/bin/sh\n[ \"$1\" = get ] && exit 0\nsleep 30 & echo $! > docker-call\nwait\n")
    kind.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(kindcreate, "CREATE_TIMEOUT", 0.5)
    recipe = KindRecipe(kind_bin=kind, kubectl_bin=kind, node_image="node", config_file=tmp_path / "c.yaml")
    started = time.monotonic()
    with pytest.raises(StepFailed, match=r"kind create cluster 'c1' did not finish within 0.5s"):
        kindcreate.create_bounded("c1", tmp_path / "kubeconfig", recipe)
    assert time.monotonic() - started < 10
    assert not kindcreate.kind_children(kind, "c1")
    docker_call = int((tmp_path / "docker-call").read_text())
    deadline = time.monotonic() + 10
    while running(docker_call) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(docker_call)
    assert not (tmp_path / ".pytest-kind").exists()  # one kubeconfig home: pytest-kind's folder is not left


def test_make_cluster_handler_uses_the_recipe_create_cluster_returns(monkeypatch, tmp_path, capsys):
    """`python -m clusters cluster` end to end with the cluster build stubbed: the handler's use
    of create_cluster's return value is the path `make cluster` runs."""
    import clusters.__main__ as entry
    import clusters.provision as provision
    from clusters.provision import KindRecipe

    kind, kubectl = tmp_path / "kind", tmp_path / "kubectl"
    kind.touch()
    kubectl.touch()
    recipe = KindRecipe(kind_bin=kind, kubectl_bin=kubectl, node_image="node:stub", config_file=None, images_to_load=[])
    calls = []
    monkeypatch.setattr(provision, "create_cluster", lambda name, kubeconfig: calls.append((name, kubeconfig)) or recipe)
    kubeconfig = tmp_path / "kubeconfig"
    assert entry.main(["cluster", "--name", "stub", "--kubeconfig", str(kubeconfig)]) == 0
    assert calls == [("stub", kubeconfig)]
    assert "cluster 'stub' ready" in capsys.readouterr().err
