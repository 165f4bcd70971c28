"""A Pod's effective requests as KEP-753 defines them (what quota, scheduler and kubelet count)."""
from decimal import Decimal

import pytest
from kubernetes import client

from helpers.checks.scheduling import (
    QUOTA,
    effective_requests,
    requests_before_sidecars,
    requests_summed,
    show,
    wait_quota_counted,
)
from helpers.kube import manifests
from helpers.kube.images import ImageMap, pinned_images
from helpers.pins import pins


def container(name, cpu=None, memory=None, sidecar=False):
    requests = {key: value for key, value in (("cpu", cpu), ("memory", memory)) if value is not None}
    return {"name": name, "resources": {"requests": requests}, **({"restartPolicy": "Always"} if sidecar else {})}


def cpu(millis):
    return Decimal(millis) / 1000


MI = 1 << 20


def test_regular_containers_add_up():
    spec = {"containers": [container("a", "100m", "10Mi"), container("b", "0.5", "1Gi")]}
    assert effective_requests(spec) == {"cpu": cpu(600), "memory": 10 * MI + 1024 * MI}


def test_a_larger_init_container_is_the_floor():
    spec = {"initContainers": [container("init", "1", "64Mi")], "containers": [container("main", "200m", "128Mi")]}
    assert effective_requests(spec) == {"cpu": cpu(1000), "memory": 128 * MI}


def test_init_containers_do_not_add_up_with_each_other():
    spec = {"initContainers": [container("first", "300m"), container("second", "400m")],
            "containers": [container("main", "100m")]}
    assert effective_requests(spec) == {"cpu": cpu(400)}


def test_native_sidecars_add_to_the_main_containers():
    spec = {"initContainers": [container("sidecar", "150m", sidecar=True)], "containers": [container("main", "100m")]}
    assert effective_requests(spec) == {"cpu": cpu(250)}


def test_an_init_container_after_a_sidecar_runs_beside_it():
    """The sidecar started before "late" runs while it does: late + sidecar."""
    spec = {"initContainers": [container("sidecar", "150m", sidecar=True), container("late", "300m")],
            "containers": [container("main", "100m")]}
    assert effective_requests(spec) == {"cpu": cpu(450)}


def test_an_init_container_before_a_sidecar_runs_alone():
    spec = {"initContainers": [container("early", "300m"), container("sidecar", "150m", sidecar=True)],
            "containers": [container("main", "100m")]}
    assert effective_requests(spec) == {"cpu": cpu(300)}


def test_sidecars_accumulate_for_later_init_containers():
    spec = {"initContainers": [container("s1", "100m", sidecar=True), container("s2", "200m", sidecar=True),
                               container("late", "400m")],
            "containers": [container("main", "50m")]}
    assert effective_requests(spec) == {"cpu": cpu(700)}


def test_a_resource_only_some_containers_request_counts_from_those():
    spec = {"initContainers": [container("init", memory="256Mi")], "containers": [container("main", "100m")]}
    assert effective_requests(spec) == {"cpu": cpu(100), "memory": 256 * MI}


def test_no_requests_give_nothing():
    assert effective_requests({"containers": [{"name": "main"}]}) == {}


def test_pod_overhead_is_added():
    spec = {"containers": [container("main", "100m")], "overhead": {"cpu": "250m"}}
    assert effective_requests(spec) == {"cpu": cpu(350)}


def scenario_spec(style):
    docs = manifests.prepare(manifests.load("scheduling/scheduling-quota.yaml"), style, ImageMap(pinned_images(pins())))
    return next(doc for doc in docs if doc["kind"] == "Pod")["spec"]


@pytest.mark.parametrize("style", ["classic", "native"])
def test_the_quota_scenario_tells_the_right_count_from_the_wrong_ones(style):
    """scheduling-quota.yaml: cpu max(200m, 150m + 100m), memory max(96Mi, 32Mi + 48Mi); the
    wrong counts the negative controls feed the check differ from it."""
    spec = scenario_spec(style)
    assert effective_requests(spec) == {"cpu": cpu(250), "memory": 96 * MI}
    assert requests_summed(spec) == {"cpu": cpu(450), "memory": 176 * MI}
    assert show(effective_requests(spec)) == "cpu 250m, memory 96Mi"


def test_counting_the_native_sidecar_as_a_plain_init_container_misses_its_cpu():
    assert requests_before_sidecars(scenario_spec("native")) == {"cpu": cpu(200), "memory": 96 * MI}
    assert requests_before_sidecars(scenario_spec("classic")) == effective_requests(scenario_spec("classic"))


@pytest.mark.parametrize("requests, shown", [
    ({"cpu": Decimal("1")}, "cpu 1000m"), ({"cpu": Decimal("0.0015")}, "cpu 1.5m"),
    ({"memory": Decimal(1536 * MI)}, "memory 1536Mi"), ({"memory": Decimal(1000)}, "memory 1000"),
])
def test_requests_are_shown_in_the_units_people_write(requests, shown):
    assert show(requests) == shown


class FakeQuotas:
    """A namespace whose quota controller misses the Pod in its first count, once."""

    def __init__(self, counts: list[str]):
        self.counts, self.made = counts, 1
        self.name = "ns"
        self.cluster = self
        self.core = self

    def read_namespaced_resource_quota(self, name, namespace):
        used = {"pods": self.counts[min(self.made, len(self.counts)) - 1], "requests.cpu": "250m",
                "requests.memory": "96Mi"}
        return client.V1ResourceQuota(metadata=client.V1ObjectMeta(name=name, labels={"a": "b"}),
                                      spec=client.V1ResourceQuotaSpec(hard={"pods": "4"}),
                                      status=client.V1ResourceQuotaStatus(used=used))

    def delete_namespaced_resource_quota(self, name, namespace):
        self.deleted = name

    def create_namespaced_resource_quota(self, namespace, body):
        assert (self.deleted, body.metadata.name, body.spec.hard) == (QUOTA, QUOTA, {"pods": "4"})
        self.made += 1

    def evidence(self):
        return ""


def test_a_quota_whose_first_count_missed_the_pod_is_made_again():
    namespace = FakeQuotas(["0", "1"])
    assert wait_quota_counted(namespace).status.used["pods"] == "1"
    assert namespace.made == 2
    counted_at_once = FakeQuotas(["1"])
    wait_quota_counted(counted_at_once)
    assert counted_at_once.made == 1


def test_the_interleaved_manifest_exercises_an_init_container_after_a_sidecar():
    """manifests/scheduling/scheduling-quota-interleaved.yaml: "late" runs beside "helper" (150m + 300m)."""
    docs = manifests.prepare(manifests.load("scheduling/scheduling-quota-interleaved.yaml"), "native",
                             ImageMap(pinned_images(pins())))
    spec = docs[0]["spec"]
    assert effective_requests(spec) == {"cpu": cpu(450), "memory": 96 * MI}
    assert requests_before_sidecars(spec) == {"cpu": cpu(300), "memory": 96 * MI}
