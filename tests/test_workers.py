"""Unit tests of how xdist units of work are cut (session.workers)."""
from session.workers import scope_of


def test_a_class_of_tests_is_one_unit_per_sidecar_style():
    assert scope_of("suites/test_proxy.py::TestProxyDemo::test_status[native]") == \
        "suites/test_proxy.py::TestProxyDemo[native]"
    assert scope_of("suites/test_proxy.py::TestProxyDemo::test_status[classic]") != \
        scope_of("suites/test_proxy.py::TestProxyDemo::test_status[native]")
    assert scope_of("suites/t.py::TestX::test_y") == "suites/t.py::TestX"


def test_any_other_test_is_a_unit_of_its_own():
    nodeid = "suites/test_logs.py::test_ships[native]"
    assert scope_of(nodeid) == nodeid
