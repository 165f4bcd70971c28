"""Parsers of what containers and the API print."""
from datetime import UTC, datetime

from helpers.kube.logs import parse_log, parse_log_line, split_log
from helpers.kube.netinfo import interface_addresses, listening_tcp
from helpers.kube.portforward import forwarded_port

BUSYBOX_IP = """\
2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue qlen 1000
2: eth0    inet 10.244.0.17/24 brd 10.244.0.255 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet6 fe80::a8b1:2ff:fe3c:4d5e/64 scope link \\       valid_lft forever preferred_lft forever
"""

BUSYBOX_NETSTAT = """\
Active Internet connections (only servers)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN
tcp        0      0 :::80                   :::*                    LISTEN
tcp        0      0 10.0.0.1:5555           10.0.0.2:40000          ESTABLISHED
"""


def test_interface_addresses():
    assert interface_addresses(BUSYBOX_IP) == {"10.244.0.17", "fe80::a8b1:2ff:fe3c:4d5e"}


def test_listening_tcp():
    assert listening_tcp(BUSYBOX_NETSTAT) == {"127.0.0.1:8080", ":::80"}


def test_log_line_with_nanoseconds():
    line = parse_log_line("2026-05-16T12:00:01.123456789Z line 00001 of 200")
    assert line.time == datetime(2026, 5, 16, 12, 0, 1, 123456, tzinfo=UTC)
    assert line.text == "line 00001 of 200"


def test_log_line_without_fraction_and_empty_text():
    line = parse_log_line("2026-05-16T12:00:01Z ")
    assert line.time == datetime(2026, 5, 16, 12, 0, 1, tzinfo=UTC) and line.text == ""


def test_parse_log_skips_the_empty_tail():
    assert [line.text for line in parse_log("2026-05-16T12:00:01.5Z a\n2026-05-16T12:00:02.25Z b c\n")] == ["a", "b c"]


def test_forwarded_port():
    assert forwarded_port(["Forwarding from 127.0.0.1:43121 -> 80", "Handling connection for 43121"]) == 43121
    assert forwarded_port(["error: unable to forward"]) is None


def test_the_kubelets_own_lines_in_a_log_stream_are_set_apart():
    lines, notices = split_log(["2026-05-16T12:00:01Z a", "rpc error: code = NotFound desc = container gone", ""])
    assert [line.text for line in lines] == ["a"]
    assert notices == ["rpc error: code = NotFound desc = container gone"]


def test_a_refused_exec_is_named_in_the_kubelets_words():
    from helpers.kube.execs import refusal
    raw = ValueError("invalid literal for int() with base 10: 'unable to upgrade connection: container not found (\"app\")'")
    assert refusal(raw) == 'unable to upgrade connection: container not found ("app")'


def test_a_refused_exec_handshake_is_named_in_the_servers_words():
    from kubernetes.client import ApiException

    from helpers.kube.execs import handshake_refusal
    raw = ApiException(status=0, reason="Handshake status 500 Internal Server Error -+-+- {'content-length': '32'}"
                                        " -+-+- container not found (\"main-app\")")
    assert handshake_refusal(raw) == 'container not found ("main-app") (HTTP 500 Internal Server Error)'
    assert handshake_refusal(ApiException(status=0, reason="Handshake status 403 Forbidden -+-+- {} -+-+- None")) \
        == "403 Forbidden"


def test_an_exec_whose_handshake_is_refused_cannot_happen():
    """The client's AttributeError over a body-less ApiException (seen on v1.36.3) and a plain
    ApiException both come out as CannotHappen; any other AttributeError is left alone."""
    import pytest
    from kubernetes.client import ApiException

    from helpers.kube.execs import refused_handshake
    from helpers.kube.waits import CannotHappen

    def clients_own_handling():
        try:
            raise ApiException(status=0, reason="Handshake status 500 Internal Server Error -+-+- {} -+-+- gone")
        except ApiException as exc:
            exc.body.decode("utf-8")  # what kubernetes' api_client does with it

    def plain_refusal():
        raise ApiException(status=0, reason="Handshake status 403 Forbidden")

    for refusal in (clients_own_handling, plain_refusal):
        with pytest.raises(CannotHappen, match="cannot exec in ns/p/c: "):
            with refused_handshake("ns/p/c", ["true"]):
                refusal()
    with pytest.raises(AttributeError):
        with refused_handshake("ns/p/c", ["true"]):
            None.decode()
