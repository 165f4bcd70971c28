"""Namespace names and the delay report."""
import re
from types import SimpleNamespace

from helpers.evidence import DELAY_PREFIX, delay_table, delays
from helpers.namespace import MAX_NAME, namespace_name

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def test_namespace_name_is_a_dns_label_from_the_test_name():
    name = namespace_name("suites/test_logs.py::test_sidecar_ships_every_line[native]", "a1b2c3")
    assert name == "sc-test-sidecar-ships-every-line-native-a1b2c3"


def test_long_test_names_are_cut_to_63_characters():
    name = namespace_name("x.py::test_" + "very_long_" * 20 + "[classic]", "a1b2c3")
    assert len(name) <= MAX_NAME and DNS_LABEL.fullmatch(name) and name.endswith("-a1b2c3")


def test_delays_come_from_user_properties_of_reports():
    reports = [
        SimpleNamespace(nodeid="t2", user_properties=[(DELAY_PREFIX + "reload", 7.5), ("other", 1)]),
        SimpleNamespace(nodeid="t1", user_properties=[(DELAY_PREFIX + "logs p50", 0.25)]),
        SimpleNamespace(nodeid="t3"),
    ]
    rows = delays(reports)
    assert rows == [("t1", "logs p50", 0.25), ("t2", "reload", 7.5)]
    assert delay_table(rows) == ["   0.250 s  logs p50  t1", "   7.500 s  reload    t2"]
