"""Unit tests of how xdist units of work are cut, ordered and handed out (session.workers,
session.durations)."""
from types import SimpleNamespace

import pytest

from helpers.session.durations import load, longest_first, save
from helpers.session.workers import SharedPodScheduling, scope_of


def test_a_class_of_tests_is_one_unit_per_sidecar_style():
    assert scope_of("suites/test_proxy.py::TestProxyDemo::test_status[native]") == \
        "suites/test_proxy.py::TestProxyDemo[native]"
    assert scope_of("suites/test_proxy.py::TestProxyDemo::test_status[classic]") != \
        scope_of("suites/test_proxy.py::TestProxyDemo::test_status[native]")
    assert scope_of("suites/t.py::TestX::test_y") == "suites/t.py::TestX"


def test_any_other_test_is_a_unit_of_its_own():
    nodeid = "suites/test_logs.py::test_ships[native]"
    assert scope_of(nodeid) == nodeid


class FakeConfig:
    """What xdist's scheduler reads of a config: `-n 2`, and the reorder option."""

    def __init__(self):
        self.option = SimpleNamespace(loadscopereorder=True)

    def getvalue(self, name):
        return ["2*popen"] if name == "tx" else None


class FakeNode:
    def __init__(self, name):
        self.gateway, self.shutting_down, self.sent = SimpleNamespace(id=name), False, []

    def send_runtest_some(self, indices):
        self.sent.extend(indices)

    def shutdown(self):
        self.shutting_down = True


COLLECTION = ["t.py::TestShared::a[native]", "t.py::TestShared::b[native]", "t.py::test_long",
              "t.py::test_mid", "t.py::test_short"]


def scheduled(collection):
    scheduler = SharedPodScheduling(FakeConfig())
    nodes = [FakeNode("gw0"), FakeNode("gw1")]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    return scheduler, nodes


def test_units_go_out_in_collection_order_each_worker_holding_one_test_beyond_the_one_it_runs():
    scheduler, (gw0, gw1) = scheduled(COLLECTION)
    # xdist would put the class first (more tests) and give each worker three tests at once.
    assert [gw0.sent, gw1.sent] == [[0, 1], [2, 3]]
    scheduler.mark_test_complete(gw1, 2)
    assert gw1.sent == [2, 3, 4]
    scheduler.mark_test_complete(gw0, 0)
    assert gw0.shutting_down


def test_the_longest_units_come_first_a_class_staying_together():
    seconds = {"t.py::TestShared::a[native]": 2, "t.py::TestShared::b[native]": 3, "t.py::test_long": 20,
               "t.py::test_mid": 8, "t.py::test_short": 1}
    assert longest_first(COLLECTION, str, scope_of, seconds) == [
        "t.py::test_long", "t.py::test_mid", "t.py::TestShared::a[native]", "t.py::TestShared::b[native]",
        "t.py::test_short"]


def test_a_test_never_timed_goes_first_and_ties_keep_the_collection_order():
    assert longest_first(COLLECTION, str, scope_of, {"t.py::test_long": 20}) == [
        *COLLECTION[:2], "t.py::test_mid", "t.py::test_short", "t.py::test_long"]
    assert longest_first(["a", "b", "c"], str, scope_of, {"a": 1, "b": 5, "c": 1}) == ["b", "a", "c"]


def test_durations_file_missing_is_empty_and_a_broken_one_is_named(tmp_path):
    assert load(tmp_path / "none.json") == {}
    save({"t.py::test_long": 20.04}, tmp_path / "d.json")
    assert load(tmp_path / "d.json") == {"t.py::test_long": 20.0}
    (tmp_path / "bad.json").write_text('{"seconds": [1]}')
    with pytest.raises(ValueError, match="bad.json: not a durations file"):
        load(tmp_path / "bad.json")
