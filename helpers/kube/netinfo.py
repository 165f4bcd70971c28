"""Parsers for what `ip` and `netstat` print inside a container."""
from __future__ import annotations

import re

ADDRESS = re.compile(r"\binet6? ([0-9a-fA-F:.]+)/\d+")


def interface_addresses(ip_output: str) -> set[str]:
    """Addresses in `ip -o addr show` output (IPv4 and IPv6)."""
    return set(ADDRESS.findall(ip_output))


def listening_tcp(netstat_output: str) -> set[str]:
    """Local addresses of listening TCP sockets in `netstat -ltn` output."""
    listening = set()
    for line in netstat_output.splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[0].startswith("tcp") and fields[5] == "LISTEN":
            listening.add(fields[3])
    return listening
