"""Bad input that needs the real cluster: rejected credentials, an image that cannot be pulled.

Each bounds a whole nested run's wall clock, which the run's own workers would stretch:
marked `alone`, they run one at a time after the others (make controls)."""
import copy

import pytest
import yaml

from helpers.checks.cli import assert_one_clear_line, run_pytest
from helpers.kube.timeouts import FIRST_FAILURE, POD_READY

MISSING_IMAGE = "localhost/does-not-exist:1"
ONE_SCENARIO = "test_every_container_has_the_pod_ip_on_eth0 and classic"

pytestmark = pytest.mark.alone


@pytest.fixture
def kubeconfig(cluster) -> str:
    return cluster.target.kubeconfig


@pytest.fixture
def kubectl(cluster) -> list[str]:
    return ["--kubectl", cluster.target.kubectl]


def test_rejected_credentials(tmp_path, kubeconfig, kubectl):
    document = yaml.safe_load(open(kubeconfig))
    bogus = copy.deepcopy(document)
    bogus["users"] = [{"name": user["name"], "user": {"token": "bogus-token"}} for user in document["users"]]
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(bogus))
    assert_one_clear_line(run_pytest("suites", "--kubeconfig", str(path), *kubectl), "rejected the credentials: HTTP 401")


def test_unpullable_image_is_named_with_its_reason_long_before_the_ready_timeout(kubeconfig, kubectl):
    outcome = run_pytest("suites", "--kubeconfig", kubeconfig, *kubectl, "-k", ONE_SCENARIO,
                         "--image-map", f"BUSYBOX_IMAGE={MISSING_IMAGE}", limit=POD_READY.seconds)
    assert outcome.code == pytest.ExitCode.TESTS_FAILED, outcome.lines[-20:]
    errors = [line for line in outcome.lines if line.startswith("E ") and "ImagePullBackOff" in line]
    assert errors and MISSING_IMAGE in errors[0], outcome.lines[-40:]
    assert outcome.seconds < FIRST_FAILURE, f"took {outcome.seconds:.0f}s to fail: {errors[0]}"
    print(f"{outcome.seconds:5.1f}s: {errors[0]}")
