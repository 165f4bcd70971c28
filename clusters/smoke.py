"""`make cluster-check`: does this cluster do the basic things the suites rely on?

Each check prints one line, ok or FAIL with what was seen; the exit code is non-zero
unless all pass. Everything runs in a throwaway namespace, deleted at the end.
"""
from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from tenacity import Retrying, retry_if_not_exception_type, stop_after_delay, wait_fixed

from helpers.kube import children

SMOKE_MANIFEST = Path(__file__).with_name("smoke.yaml")
SYSTEM_PODS_TIMEOUT = 180
POD_READY_TIMEOUT = 120
SERVICE_TIMEOUT = 60
LOG_FOLLOW_SECONDS = 6
PORT_FORWARD_TIMEOUT = 20
NAMESPACE_DELETE_TIMEOUT = 120
EXPECTED_SYSTEM_APPS = ("kube-proxy", "kube-dns")  # k8s-app labels; plus a CNI DaemonSet's Pods
# a container waiting for one of these reasons will not become Ready by itself: no point waiting
STUCK_REASONS = ("ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName", "CrashLoopBackOff",
                 "CreateContainerConfigError", "CreateContainerError", "RunContainerError")


class CheckFailed(AssertionError):
    """One smoke check failed; the message says what was expected and seen."""


class Stuck(CheckFailed):
    """A Pod in a state that cannot recover: the check fails at once instead of waiting out its timeout."""


class Kubectl:
    """kubectl bound to one kubeconfig."""

    def __init__(self, binary: Path, kubeconfig: Path):
        self.base = [str(binary), "--kubeconfig", str(kubeconfig)]

    def run(self, *args: str, timeout: float = 60, stdin: str | None = None) -> str:
        done = children.run([*self.base, *args], input=stdin, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise CheckFailed(f"kubectl {' '.join(args)}: {done.stderr.strip()[-800:]}")
        return done.stdout

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args, "-o", "json"))

    def popen(self, *args: str) -> subprocess.Popen:
        return children.popen([*self.base, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _until(timeout: float, check: Callable[[], None]) -> None:
    """Retry `check` every second until it passes or `timeout` ends (then its last error); Stuck ends it at once."""
    for attempt in Retrying(stop=stop_after_delay(timeout), wait=wait_fixed(1), reraise=True,
                            retry=retry_if_not_exception_type(Stuck)):
        with attempt:
            check()


def nodes_ready(k: Kubectl, _ns: str) -> str:
    nodes = k.json("get", "nodes")["items"]
    not_ready = [n["metadata"]["name"] for n in nodes
                 if not any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"])]
    if not nodes or not_ready:
        raise CheckFailed(f"nodes not Ready: {not_ready or 'no nodes'}")
    return f"{len(nodes)} node(s) Ready, {nodes[0]['status']['nodeInfo']['kubeletVersion']}"


def system_pods_running(k: Kubectl, _ns: str) -> str:
    def check() -> None:
        pods = k.json("get", "pods", "-n", "kube-system")["items"]
        bad = [f"{p['metadata']['name']}={p['status'].get('phase')}" for p in pods if p["status"].get("phase") != "Running"]
        apps = {p["metadata"].get("labels", {}).get("k8s-app", "") for p in pods}
        missing = [a for a in EXPECTED_SYSTEM_APPS if a not in apps]
        daemonsets = {p["metadata"]["ownerReferences"][0]["name"] for p in pods
                      if p["metadata"].get("ownerReferences", [{}])[0].get("kind") == "DaemonSet"}
        if bad or missing or not daemonsets - {"kube-proxy"}:
            raise CheckFailed(f"kube-system: not Running {bad}, missing {missing}, DaemonSets {sorted(daemonsets)}")
    _until(SYSTEM_PODS_TIMEOUT, check)
    return "CoreDNS, kube-proxy and the CNI are Running"


def pods_ready(pods: list[dict]) -> None:
    """Every Pod Ready; Stuck naming the containers that cannot get there, CheckFailed naming those not yet."""
    stuck = [f"{p['metadata']['name']}/{c['name']}: {waiting['reason']}: {waiting.get('message', '')}".rstrip(": ")
             for p in pods for c in p["status"].get("containerStatuses", [])
             if (waiting := c.get("state", {}).get("waiting", {})).get("reason") in STUCK_REASONS]
    if stuck:
        raise Stuck("; ".join(stuck))
    waiting = [p["metadata"]["name"] for p in pods
               if not any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))]
    if waiting or not pods:
        raise CheckFailed(f"Pods not Ready within {POD_READY_TIMEOUT}s: {waiting or 'no Pods'}")


def test_image_pods_ready(k: Kubectl, ns: str) -> str:
    k.run("apply", "-n", ns, "-f", str(SMOKE_MANIFEST))
    try:
        _until(POD_READY_TIMEOUT, lambda: pods_ready(k.json("get", "pods", "-n", ns)["items"]))
    except CheckFailed as err:
        states = k.run("get", "pods", "-n", ns, "-o", "wide")
        events = k.run("get", "events", "-n", ns, "--sort-by=.lastTimestamp")
        raise CheckFailed(f"{err}\n{states}\n{events[-2000:]}") from None
    images = sorted({c["image"] for p in k.json("get", "pods", "-n", ns)["items"] for c in p["spec"]["containers"]})
    return f"Pods of {len(images)} test images Ready: {', '.join(images)}"


def service_reachable_by_exec(k: Kubectl, ns: str) -> str:
    url = f"http://nginx.{ns}.svc.cluster.local/"
    seen = {}

    def check() -> None:
        seen["body"] = k.run("exec", "-n", ns, "curl", "--", "curl", "-sS", "--max-time", "5", url, timeout=20)
        if "nginx" not in seen["body"]:
            raise CheckFailed(f"GET {url} from Pod curl: body {seen['body'][:200]!r} lacks 'nginx'")
    _until(SERVICE_TIMEOUT, check)
    return f"kubectl exec curl -> ClusterIP Service {url} answered ({len(seen['body'])} bytes)"


def logs_follow(k: Kubectl, ns: str) -> str:
    """`kubectl logs -f` keeps streaming: over LOG_FOLLOW_SECONDS new consecutive ticks arrive."""
    try:
        k.run("logs", "-f", "--tail=1", "-n", ns, "busybox", timeout=LOG_FOLLOW_SECONDS)
        raise CheckFailed("kubectl logs -f busybox ended by itself instead of following")
    except subprocess.TimeoutExpired as still_following:
        output = still_following.stdout or ""
        lines = (output.decode() if isinstance(output, bytes) else output).splitlines()
    numbers = [int(n) for n in re.findall(r"\d+", " ".join(lines))]
    if len(numbers) < 3 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise CheckFailed(f"kubectl logs -f busybox: expected 3+ consecutive ticks in {LOG_FOLLOW_SECONDS}s, got {lines}")
    return f"kubectl logs -f streamed ticks {numbers[0]}..{numbers[-1]} in {LOG_FOLLOW_SECONDS}s"


def port_forward(k: Kubectl, ns: str) -> str:
    proc = k.popen("port-forward", "-n", ns, "pod/python", ":8080")
    try:
        first = proc.stdout.readline()
        match = re.search(r"127\.0\.0\.1:(\d+) ->", first)
        if not match:
            raise CheckFailed(f"kubectl port-forward: unexpected first line {first!r}")
        url = f"http://127.0.0.1:{match.group(1)}/hostname"
        response = {}

        def check() -> None:
            response["r"] = httpx.get(url, timeout=5)
            if response["r"].status_code != 200:
                raise CheckFailed(f"GET {url}: status {response['r'].status_code}")
        _until(PORT_FORWARD_TIMEOUT, check)
        return f"kubectl port-forward -> python http.server: GET /hostname = {response['r'].text.strip()!r}"
    finally:
        children.stop(proc, grace=0)


CHECKS = [nodes_ready, system_pods_running, test_image_pods_ready, service_reachable_by_exec, logs_follow,
          port_forward]


def run_checks(kubectl: Path, kubeconfig: Path) -> int:
    """Run every check in order; return the number that failed."""
    k = Kubectl(kubectl, kubeconfig)
    ns = f"cluster-check-{uuid.uuid4().hex[:6]}"
    failed = 0
    try:
        k.run("create", "namespace", ns)
        for check in CHECKS:
            name = check.__name__.replace("_", " ")
            try:
                print(f"ok   {name}: {check(k, ns)}", flush=True)
            except (CheckFailed, subprocess.TimeoutExpired, httpx.HTTPError) as err:
                failed += 1
                print(f"FAIL {name}: {err}", flush=True)
    except CheckFailed as err:
        failed += 1
        print(f"FAIL cluster unreachable: {err}", flush=True)
    finally:
        children.run([*k.base, "delete", "namespace", ns, "--ignore-not-found", "--wait=true",
                      f"--timeout={NAMESPACE_DELETE_TIMEOUT}s"], capture_output=True, timeout=NAMESPACE_DELETE_TIMEOUT + 10)
    print(f"cluster-check: {len(CHECKS) - failed} passed, {failed} failed", flush=True)
    return failed
