"""Which namespaces belong to dead runs: this host's by their pytest's pid, others' by age."""
from datetime import UTC, datetime, timedelta

from kubernetes import client

from helpers.kube.namespace import OWNER_ANNOTATION, RUN_LABEL
from helpers.kube.timeouts import MAX_RUN_AGE
from helpers.session.leftovers import of_dead_run, process_alive, run_owner

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def namespace(run_id: str, owner: str, age: float = 60, deleting: bool = False) -> client.V1Namespace:
    return client.V1Namespace(metadata=client.V1ObjectMeta(
        name=f"sc-{run_id}", labels={RUN_LABEL: run_id}, annotations={OWNER_ANNOTATION: owner},
        creation_timestamp=NOW - timedelta(seconds=age), deletion_timestamp=NOW if deleting else None))


def dead(ns, alive=lambda pid: pid == 100):
    return of_dead_run(ns, "this-run", "here", NOW, alive)


def test_this_hosts_run_is_dead_when_its_pytest_is_gone():
    assert dead(namespace("old", "here/200"))
    assert not dead(namespace("live", "here/100"))


def test_this_run_and_deleting_namespaces_are_left_alone():
    assert not dead(namespace("this-run", "here/200"))
    assert not dead(namespace("old", "here/200", deleting=True))


def test_another_hosts_run_is_dead_only_after_the_maximum_run_age():
    assert not dead(namespace("other", "there/200"))
    assert dead(namespace("other", "there/200", age=MAX_RUN_AGE + 1))
    assert dead(namespace("unowned", "", age=MAX_RUN_AGE + 1))


def test_this_process_is_alive_and_owns_its_runs():
    host, pid = run_owner().rsplit("/", 1)
    assert host and process_alive(int(pid))
