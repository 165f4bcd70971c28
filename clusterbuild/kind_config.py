"""The kind cluster config: what every throwaway cluster gets, plus what this host needs."""
from __future__ import annotations

from . import host

KUBELET_SYNC_FREQUENCY = "5s"  # a ConfigMap edit reaches Pods in seconds, not the default minute
RUNC_NOCAP_IN_NODE = "/usr/local/sbin/runc-nocap"


def kind_config(*, local_node_image: bool, kubernetes_minor: int) -> str:
    """kind Cluster YAML; host workarounds appear only on hosts that need them."""
    kubelet = ["kind: KubeletConfiguration", f"syncFrequency: {KUBELET_SYNC_FREQUENCY}"]
    if host.cgroup_v1() and kubernetes_minor >= 31:
        kubelet.append("failCgroupV1: false  # 1.35+ refuse cgroup v1 without it")
    lines = [
        "kind: Cluster",
        "apiVersion: kind.x-k8s.io/v1alpha4",
        "nodes:",
        "  - role: control-plane",
        "kubeadmConfigPatches:",
        "  - |",
        *(f"    {line}" for line in kubelet),
    ]
    if host.lacks_cap_sys_resource():
        containerd = [
            "# this host lacks CAP_SYS_RESOURCE: no negative oom_score_adj for Pods",
            '[plugins."io.containerd.grpc.v1.cri"]',
            "  restrict_oom_score_adj = true",
        ]
        if local_node_image:
            containerd += [
                "# and privileged Pods (kube-proxy) need the capability dropped by runc's wrapper",
                '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
                f'  BinaryName = "{RUNC_NOCAP_IN_NODE}"',
            ]
        lines += ["containerdConfigPatches:", "  - |", *(f"    {line}" for line in containerd)]
    return "\n".join(lines) + "\n"
