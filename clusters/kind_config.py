"""The kind cluster config: what every throwaway cluster gets, plus what this host needs."""
from __future__ import annotations

from pathlib import Path

from . import host

KUBELET_SYNC_FREQUENCY = "5s"  # a ConfigMap edit reaches Pods in seconds, not the default minute
RUNC_NOCAP_IN_NODE = "/usr/local/sbin/runc-nocap"
CONTAINERD_HOSTS_IN_NODE = "/etc/containerd/certs.d"


def kind_config(*, kubernetes_minor: int, node_has_runc_nocap: bool, containerd_hosts_dir: Path | None = None) -> str:
    """kind Cluster YAML; host workarounds appear only on hosts that need them.

    node_has_runc_nocap: the node image carries clusters/offline/runc-nocap (the locally built one does).
    containerd_hosts_dir: a folder in containerd's hosts.toml layout (<registry>/hosts.toml), for
        pulling through a mirror; mounted into the node and named as containerd's config_path.
    """
    kubelet = ["kind: KubeletConfiguration", f"syncFrequency: {KUBELET_SYNC_FREQUENCY}"]
    if host.cgroup_v1() and kubernetes_minor >= 31:
        kubelet.append("failCgroupV1: false  # 1.35+ refuse cgroup v1 without it")
    lines = ["kind: Cluster", "apiVersion: kind.x-k8s.io/v1alpha4", "nodes:", "  - role: control-plane"]
    if containerd_hosts_dir:
        lines += ["    extraMounts:", f"      - hostPath: {containerd_hosts_dir.resolve()}",
                  f"        containerPath: {CONTAINERD_HOSTS_IN_NODE}", "        readOnly: true"]
    lines += ["kubeadmConfigPatches:", "  - |", *(f"    {line}" for line in kubelet)]
    containerd = []
    if containerd_hosts_dir:
        containerd += ["# image pulls go through the mirrors of the mounted hosts.toml files",
                       '[plugins."io.containerd.grpc.v1.cri".registry]',
                       f'  config_path = "{CONTAINERD_HOSTS_IN_NODE}"']
    if host.lacks_cap_sys_resource():
        containerd += [
            "# this host lacks CAP_SYS_RESOURCE: no negative oom_score_adj for Pods",
            '[plugins."io.containerd.grpc.v1.cri"]',
            "  restrict_oom_score_adj = true",
        ]
        if node_has_runc_nocap:
            containerd += [
                "# and privileged Pods (kube-proxy) need the capability dropped by runc's wrapper",
                '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
                f'  BinaryName = "{RUNC_NOCAP_IN_NODE}"',
            ]
    if containerd:
        lines += ["containerdConfigPatches:", "  - |", *(f"    {line}" for line in containerd)]
    return "\n".join(lines) + "\n"
