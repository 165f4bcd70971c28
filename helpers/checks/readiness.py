"""Sidecar readiness: a sidecar's readiness counts for its Pod's Ready condition and the
Pod's Service endpoints, and a Service reaches a port the sidecar declares by name.

Reference: KEP-753 (sidecar containers); https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/ ;
named ports of native sidecars in Services: kubernetes/kubernetes#127958 (fixed in 1.32).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from kubernetes import client

from helpers.checks.failure import Behaviour
from helpers.kube.pods import all_statuses, is_ready
from helpers.kube.timeouts import LET_IN, Timeout
from helpers.kube.waits import holds_for, wait_until

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
# Sidecar readiness and scheduling
# The app is ready and the sidecar is not: this long, the Pod must stay out (probes run every second).
KEPT_OUT = Timeout("Pod not Ready, no ready endpoint, while its sidecar is not ready", 3, poll=0.5)
# A new Service: DNS name served and kube-proxy's rules written.
SERVICE_ROUTING = Timeout("a request to the Service answered (its DNS name and kube-proxy rules in place)", 20)

READINESS = Behaviour("readiness")
# its checks, each named once: the check raises with it, its negative controls expect it
READY_SIDECAR_LETS_THE_POD_IN = READINESS.check("ready sidecar lets the Pod in")
SERVICE_REACHES_THE_SIDECAR_S_NAMED_PORT = READINESS.check("Service reaches the sidecar's named port")
SIDECAR_NOT_READY_KEEPS_THE_POD_OUT = READINESS.check("sidecar not ready keeps the Pod out")
POD, SERVICE, CLIENT = "readiness-demo", "readiness-demo", "readiness-client"
SIDECAR, APP = "sidecar", "app"
READY_FILE = "/tmp/ready"  # the sidecar's readinessProbe passes once this exists
SERVICE_URL = f"http://{SERVICE}/"
SIDECAR_PAGE = f"hello from the sidecar of {POD}\n"


@dataclass(frozen=True)
class Admission:
    """The Pod's Ready condition and how the Service's EndpointSlices list its IP, in one look."""

    pod: client.V1Pod
    endpoints: tuple[tuple[tuple[str, ...], bool | None], ...]  # (addresses, conditions.ready) of each endpoint

    @property
    def ready_endpoint(self) -> bool:
        """The Pod's IP is in a ready endpoint (a nil `ready` means ready, as the API says)."""
        ip = self.pod.status.pod_ip
        return bool(ip) and any(ip in addresses and ready is not False for addresses, ready in self.endpoints)

    @property
    def listed(self) -> str:
        ip = self.pod.status.pod_ip
        mine = [ready for addresses, ready in self.endpoints if ip and ip in addresses]
        return f"ready={mine[0]}" if mine else "not listed"

    def __repr__(self) -> str:
        containers = {s.name: s.ready for s in all_statuses(self.pod)}
        return (f"Pod Ready={is_ready(self.pod)} (containers ready: {containers}); its IP {self.pod.status.pod_ip}"
                f" in the EndpointSlices of Service {SERVICE}: {self.listed}")


def admission(namespace, pod) -> Admission:
    slices = client.DiscoveryV1Api(namespace.cluster.api).list_namespaced_endpoint_slice(
        namespace.name, label_selector=f"kubernetes.io/service-name={SERVICE}").items
    endpoints = tuple((tuple(e.addresses), e.conditions.ready if e.conditions else None)
                      for s in slices for e in s.endpoints or [])
    return Admission(pod.read(), endpoints)


def app_ready_sidecar_running(pod: client.V1Pod) -> bool:
    statuses = {s.name: s for s in all_statuses(pod)}
    app, sidecar = statuses.get(APP), statuses.get(SIDECAR)
    return bool(app and app.ready and sidecar and sidecar.state and sidecar.state.running)


def deploy_with_sidecar_not_ready(namespace, style: str, overlay: str | None = None):
    """readiness-demo with its app ready and its sidecar running (its probe not passed yet)."""
    namespace.deploy("readiness/readiness.yaml", style, overlay)
    pod = namespace.pod(POD)
    pod.wait_for("app ready and sidecar running", app_ready_sidecar_running)
    return pod


def assert_kept_out_while_sidecar_not_ready(namespace, pod) -> None:
    """For KEPT_OUT the Pod is not Ready and its IP is in no ready endpoint of the Service."""
    with READINESS.waiting(SIDECAR_NOT_READY_KEEPS_THE_POD_OUT):
        holds_for(f"{POD} not Ready and not a ready endpoint of Service {SERVICE} while its sidecar is not ready",
                  lambda: admission(namespace, pod), lambda look: not is_ready(look.pod) and not look.ready_endpoint,
                  KEPT_OUT, pod.report)


def make_sidecar_ready(pod) -> float:
    """Create the file the sidecar's readinessProbe looks for; return when (monotonic)."""
    pod.exec(SIDECAR, ["touch", READY_FILE])
    return time.monotonic()


def wait_let_in(namespace, pod) -> Admission:
    """Wait (LET_IN) until the Pod is Ready and its IP a ready endpoint of the Service."""
    with READINESS.waiting(READY_SIDECAR_LETS_THE_POD_IN):
        return wait_until(f"{POD} Ready and a ready endpoint of Service {SERVICE}", lambda: admission(namespace, pod),
                          lambda look: is_ready(look.pod) and look.ready_endpoint, LET_IN, pod.report)


def assert_service_reaches_sidecar(namespace) -> None:
    """From another Pod, GET the Service's URL answers the sidecar's page (its targetPort is
    the name of the sidecar's port)."""
    requester = namespace.pod(CLIENT).wait_ready()
    command = ["curl", "-sS", "--max-time", "2", SERVICE_URL]
    with READINESS.waiting(SERVICE_REACHES_THE_SIDECAR_S_NAMED_PORT):
        answer = wait_until(f"GET {SERVICE_URL} from {CLIENT} to answer",
                            lambda: requester.exec("client", command, check=False),
                            lambda result: result.exit_code == 0, SERVICE_ROUTING, namespace.evidence,
                            show=lambda result: f"exit {result.exit_code}: {(result.stderr or result.stdout).strip()!r}")
    READINESS.require(answer.stdout == SIDECAR_PAGE, SERVICE_REACHES_THE_SIDECAR_S_NAMED_PORT,
                      f"GET {SERVICE_URL} from {CLIENT} to answer the sidecar's page {SIDECAR_PAGE!r}",
                      f"the answer {answer.stdout!r}")
