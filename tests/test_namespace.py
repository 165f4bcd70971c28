"""Namespace names."""
import re

from helpers.kube.namespace import MAX_NAME, namespace_name

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def test_namespace_name_is_a_dns_label_from_the_test_name():
    name = namespace_name("suites/test_logs.py::test_sidecar_ships_every_line[native]", "a1b2c3")
    assert name == "sc-test-sidecar-ships-every-line-native-a1b2c3"


def test_long_test_names_are_cut_to_63_characters():
    name = namespace_name("x.py::test_" + "very_long_" * 20 + "[classic]", "a1b2c3")
    assert len(name) <= MAX_NAME and DNS_LABEL.fullmatch(name) and name.endswith("-a1b2c3")

