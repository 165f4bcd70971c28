"""A namespace per test: unique name, run label, PSA baseline; owns cleanup and evidence."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from kubernetes import client, utils

from helpers.kube import diagnostics, manifests, observers
from helpers.kube.apierrors import api_message
from helpers.kube.cluster import Cluster
from helpers.kube.pods import Pod
from helpers.kube.timeouts import NAMESPACE_SWEEP, SERVICE_ACCOUNT
from helpers.kube.waits import CannotHappen, NotYet, wait_until

RUN_LABEL = "sidecar-conformance/run-id"
TEST_ANNOTATION = "sidecar-conformance/test"
OWNER_ANNOTATION = "sidecar-conformance/owner"  # host/pid of the run's pytest
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
POD_SECURITY_LEVELS = ("baseline", "restricted")  # Pod Security Admission levels a run may enforce
# ... and those a test may ask for with its `pod_security` marker (a hostPort needs "privileged")
MARKER_POD_SECURITY_LEVELS = (*POD_SECURITY_LEVELS, "privileged")
NAME_PREFIX = "sc-"
MAX_NAME = 63
CLEANUP_GRACE = 1  # seconds: the grace period of a finished test's Pods
KEPT_LABEL = "sidecar-conformance/kept-from-run"  # replaces RUN_LABEL on a namespace kept for debugging


def namespace_name(test_id: str, suffix: str) -> str:
    """A DNS-label name from a test id and a random suffix."""
    slug = re.sub(r"[^a-z0-9]+", "-", test_id.rsplit("::", 1)[-1].lower()).strip("-")
    room = MAX_NAME - len(NAME_PREFIX) - len(suffix) - 1
    return f"{NAME_PREFIX}{slug[:room].rstrip('-')}-{suffix}"


def refused_creation(doc: dict, exc: client.ApiException) -> CannotHappen:
    """One line for an object the API server (its admission) would not create."""
    what = f"creating {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
    return CannotHappen(what, f"{what} refused (HTTP {exc.status}): {api_message(exc)}")


def delete_namespace(core: client.CoreV1Api, name: str) -> None:
    """Delete namespace `name` without waiting; gone already is fine."""
    try:
        core.delete_namespace(name)
    except client.ApiException as exc:
        if exc.status != 404:
            raise


def delete_with_pods(core: client.CoreV1Api, name: str) -> None:
    """Delete namespace `name` and all in it without waiting, its Pods first with a CLEANUP_GRACE
    grace period; gone already is fine."""
    try:
        core.delete_collection_namespaced_pod(name, grace_period_seconds=CLEANUP_GRACE)
    except client.ApiException as exc:
        if exc.status != 404:
            raise
    delete_namespace(core, name)


def sweep(core: client.CoreV1Api, selector: str) -> list[str]:
    """Delete every namespace matching label `selector` and wait until they are gone (bounded by
    NAMESPACE_SWEEP); the namespaces seen. One made meanwhile is deleted too."""
    swept: set[str] = set()

    def remaining() -> list[str]:
        found = core.list_namespace(label_selector=selector).items
        swept.update(ns.metadata.name for ns in found)
        for ns in found:
            if ns.metadata.deletion_timestamp is None:
                delete_namespace(core, ns.metadata.name)
        return [ns.metadata.name for ns in found]

    wait_until(f"namespaces labelled {selector} to be gone", remaining, lambda names: not names, NAMESPACE_SWEEP)
    return sorted(swept)


def wait_default_service_account(core: client.CoreV1Api, name: str) -> None:
    """Wait for namespace `name`'s `default` ServiceAccount, which Pods need and which the
    controller manager creates shortly after the namespace (Pods created before it are refused)."""
    wait_until(f"namespace {name}: ServiceAccount default",
               lambda: core.read_namespaced_service_account("default", name), bool, SERVICE_ACCOUNT)


class TestNamespace:
    """The namespace one test runs in, created on construction and deleted by `delete`."""

    __test__ = False  # not a pytest test class

    def __init__(self, cluster: Cluster, test_id: str, pod_security: str = POD_SECURITY_LEVELS[0]):
        self.cluster = cluster
        self.name = namespace_name(test_id, secrets.token_hex(3))
        self.pod_security = pod_security
        body = {
            "metadata": {
                "name": self.name,
                "labels": {RUN_LABEL: cluster.target.run_id, PSA_ENFORCE: pod_security},
                "annotations": {TEST_ANNOTATION: test_id, OWNER_ANNOTATION: cluster.target.owner},
            }
        }
        cluster.core.create_namespace(body)
        observers.tell(observers.NAMESPACE, self.name, pod_security=pod_security)

    def __repr__(self) -> str:
        return f"TestNamespace({self.name})"

    def deploy(self, manifest: str, style: str, overlay: str | None = None,
               edit: Callable[[dict], None] | None = None) -> list[dict]:
        """Create everything in manifests/<manifest>, sidecars in `style`; return the docs.

        `overlay` (a negative control, manifests/<behaviour>/controls/...) replaces documents of the same
        kind and name; `edit` changes each prepared document in place (a port of the test's own).
        """
        docs = manifests.load(manifest)
        if overlay:
            docs = manifests.overlay(docs, manifests.load(overlay))
        docs = manifests.prepare(docs, style, self.cluster.images, self.pod_security)
        for doc in docs if edit else []:
            edit(doc)
        observers.tell(observers.APPLIED, self.name, docs=docs,
                       title=f"applied {manifest}" + (f" + {overlay}" if overlay else "") + f" ({style})")
        for doc in docs:
            try:
                utils.create_from_dict(self.cluster.api, doc, namespace=self.name)
            except utils.FailToCreateError as exc:
                raise refused_creation(doc, exc.api_exceptions[0]) from None
            observers.tell(observers.CREATE, self.name, doc=doc)
        return docs

    def wait_default_service_account(self) -> None:
        """Wait for this namespace's `default` ServiceAccount (see the function of that name)."""
        wait_default_service_account(self.cluster.core, self.name)

    def pod(self, name: str) -> Pod:
        """A handle on Pod `name` of this namespace."""
        return Pod(self.cluster, self.name, name)

    def job_pod(self, job: str) -> Pod:
        """The (single) Pod a Job created so far."""
        pods = self.cluster.core.list_namespaced_pod(self.name, label_selector=f"job-name={job}").items
        if len(pods) == 1:
            return self.pod(pods[0].metadata.name)
        if not pods:
            refused = self.events_of("Job", job, "FailedCreate")
            if refused:
                raise CannotHappen(f"job {job}'s pod", f"job {job} cannot create its Pod: {refused[-1]}")
        raise NotYet(f"job {job} has {len(pods)} pods, expected 1")

    def events_of(self, kind: str, name: str, reason: str) -> list[str]:
        """Messages of the events with `reason` about object `kind`/`name`, oldest first."""
        events = self.cluster.core.list_namespaced_event(
            self.name, field_selector=f"involvedObject.kind={kind},involvedObject.name={name},reason={reason}").items
        return [event.message for event in sorted(events, key=lambda e: e.metadata.creation_timestamp)]

    def read_job(self, name: str) -> client.V1Job:
        """Job `name` as the API has it now."""
        return self.cluster.batch.read_namespaced_job(name, self.name)

    def config_map_data(self, name: str) -> dict[str, str]:
        """The data of ConfigMap `name`."""
        return dict(self.cluster.core.read_namespaced_config_map(name, self.name).data or {})

    def update_config_map(self, name: str, data: dict[str, str]) -> None:
        """Replace the data of ConfigMap `name` (what `kubectl edit` does)."""
        self.cluster.core.patch_namespaced_config_map(name, self.name, {"data": data})
        observers.tell(observers.PATCH_CONFIG_MAP, self.name, name=name, data=data)

    def evidence(self) -> str:
        """Pods, container logs and events of this namespace, as text."""
        return diagnostics.namespace_report(self.cluster.core, self.name)

    def delete(self) -> None:
        """Delete the namespace (and all in it) without waiting; gone already is fine.

        Its Pods go first with a CLEANUP_GRACE grace period: the test is over, and Pods
        that ignore SIGTERM (the tutorial's, say) would hold the namespace for theirs.
        """
        observers.tell(observers.DELETE_NAMESPACE, self.name)
        delete_with_pods(self.cluster.core, self.name)

    def keep(self) -> None:
        """Keep the namespace after the run: it leaves the run (no sweep deletes it) and says why."""
        self.cluster.core.patch_namespace(self.name, {"metadata": {"labels": {
            RUN_LABEL: None, KEPT_LABEL: self.cluster.target.run_id}}})
