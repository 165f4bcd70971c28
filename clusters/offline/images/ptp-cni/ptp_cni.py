"""Node agent of the offline cluster's CNI: ptp + host-local on each node's podCIDR.

kind's own CNI image (kindnetd) can not be built here, so the locally built node
image ships this stand-in. Every SYNC_SECONDS (every second until its first success)
it reads the Nodes from the API,
writes /etc/cni/net.d/10-ptp.conflist for its own node's podCIDR, and routes the
other nodes' podCIDRs via their InternalIP.
"""
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
CONF = "/etc/cni/net.d/10-ptp.conflist"
SYNC_SECONDS = 10
UNCONFIGURED_RETRY_SECONDS = 1  # the node stays NotReady until the first config is written


def nodes():
    url = "https://{}:{}/api/v1/nodes".format(os.environ["KUBERNETES_SERVICE_HOST"],
                                              os.environ["KUBERNETES_SERVICE_PORT"])
    with open(SA + "/token") as f:
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + f.read().strip()})
    context = ssl.create_default_context(cafile=SA + "/ca.crt")
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.load(response)["items"]


def conflist(pod_cidr):
    return {
        "cniVersion": "0.4.0",
        "name": "ptp-cni",
        "plugins": [
            {"type": "ptp", "ipMasq": False, "mtu": 1500,
             "ipam": {"type": "host-local", "dataDir": "/run/cni-ipam-state",
                      "routes": [{"dst": "0.0.0.0/0"}], "ranges": [[{"subnet": pod_cidr}]]}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)
    print("wrote", path, flush=True)


def sync(node_name):
    for node in nodes():
        pod_cidr = node["spec"].get("podCIDR")
        if not pod_cidr:
            continue
        if node["metadata"]["name"] == node_name:
            write_if_changed(CONF, json.dumps(conflist(pod_cidr), indent=2) + "\n")
            continue
        address = next((a["address"] for a in node["status"].get("addresses", []) if a["type"] == "InternalIP"), None)
        if address:
            subprocess.run(["ip", "route", "replace", pod_cidr, "via", address], check=True)


def main():
    node_name = os.environ["NODE_NAME"]
    while True:
        try:
            sync(node_name)
        except Exception as error:  # keep the node agent alive; the next sync retries
            print("sync failed:", error, file=sys.stderr, flush=True)
        time.sleep(SYNC_SECONDS if os.path.exists(CONF) else UNCONFIGURED_RETRY_SECONDS)


if __name__ == "__main__":
    main()
