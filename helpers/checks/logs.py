"""Log shipping: every line the app writes reaches the shipper's output, once, in order."""
import re

from helpers.checks.failure import Behaviour, precondition
from helpers.kube import manifests
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import wait_until

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
APP_WROTE_LINES = Timeout("app wrote its last line", 60, poll=0.5)
# Measured propagation max (soak): under 1.5 s; `tail -F` checks its file once a second.
LOG_CAUGHT_UP = Timeout("sidecar shipped the app's last line after the app wrote it", 15, poll=0.5)


LOGS = Behaviour("logs")
# its checks, each named once: the check raises with it, its negative controls expect it
EVERY_LINE_ONCE_IN_ORDER = LOGS.check("every line once, in order")
LOG_LINES_REACH_THE_SHIPPER = LOGS.check("log lines reach the shipper")
NUMBERED = re.compile(r"line \d{5} of \d+")


def numbered(lines):
    """The numbered app lines among log lines, in order, with their timestamps."""
    return [line for line in lines if NUMBERED.fullmatch(line.text)]


def expected_lines(docs, pod_name: str) -> list[str]:
    """The lines the app of `pod_name` writes, from its LINE_COUNT."""
    count = int(manifests.env_value(docs, pod_name, "app", "LINE_COUNT"))
    return [f"line {i:05d} of {count}" for i in range(1, count + 1)]


def _last_is(last: str):
    def check(lines) -> bool:
        return bool(lines) and lines[-1].text == last
    return check


def _summary(lines) -> str:
    return f"{len(lines)} lines, last {lines[-1].text if lines else None!r}"


def wait_shipped(pod, expected: list[str]):
    """Wait for the app to write its last line, then for the shipper to print it; return
    (numbered lines the app wrote, numbered lines the shipper shipped)."""
    written = wait_until(f"{pod.name}/app to write {expected[-1]!r}", lambda: numbered(pod.log("app")),
                         _last_is(expected[-1]), APP_WROTE_LINES, pod.report, show=_summary)
    precondition([line.text for line in written] == expected, f"{pod.name}/app printed each of its lines once")
    with LOGS.waiting(LOG_LINES_REACH_THE_SHIPPER):
        shipped = wait_until(f"{pod.name}/shipper to ship {expected[-1]!r} (the app wrote it)",
                             lambda: numbered(pod.log("shipper")), _last_is(expected[-1]), LOG_CAUGHT_UP,
                             pod.report, show=_summary)
    return written, shipped


def assert_every_line_once_in_order(shipped, expected: list[str]) -> None:
    """The shipper printed exactly `expected`."""
    texts = [line.text for line in shipped]
    missing = [text for text in expected if text not in set(texts)]
    LOGS.require(texts == expected, EVERY_LINE_ONCE_IN_ORDER, f"the {len(expected)} lines the app wrote",
                 f"{len(texts)} lines, {len(missing)} missing (first {missing[:3]}), in order: {texts == sorted(texts)}")
