"""Reverse proxy: the sidecar returns the app's answers, adds its headers, takes concurrency."""
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import httpx

from helpers.checks.failure import Behaviour, precondition
from helpers.kube.timeouts import Timeout

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
# nginx is running and the app behind it already answers: a working proxy forwards at once.
PROXY_FORWARDING = Timeout("proxy forwarding to an app that already answers", 10, poll=0.5)
# one of the proxy's simultaneous requests: 50 at once through one kubectl port-forward on a
# machine busy with 10 workers saw 4 take longer than 10 s (make soak); the check is about
# every request answered 200, not how fast
CONCURRENT_REQUEST = 30.0


PROXY = Behaviour("proxy")
# its checks, each named once: the check raises with it, its negative controls expect it
ANSWERS_PASS_THROUGH_UNCHANGED = PROXY.check("answers pass through unchanged")
CONCURRENT_REQUESTS = PROXY.check("concurrent requests")
PROXY_FORWARDS_TO_THE_APP = PROXY.check("proxy forwards to the app")
PROXY_HEADERS = PROXY.check("proxy headers")
PROXY_PORT, APP_PORT = 80, 8080
APP_CONTAINER = "app"  # proxy.yaml's app: a Python, on 127.0.0.1:APP_PORT
REQUESTS_AT_ONCE = 50


@contextmanager
def proxy_and_app(pod):
    """HTTP clients for the proxy (port 80) and the app itself (port 8080, on the Pod's loopback
    only: an in-cluster run asks it from the app's container).

    The app must answer first; then the proxy has PROXY_FORWARDING to forward to it.
    """
    with pod.http(APP_PORT, loopback_via=APP_CONTAINER) as app, ExitStack() as stack:
        with PROXY.waiting(PROXY_FORWARDS_TO_THE_APP):
            proxy = stack.enter_context(pod.http(PROXY_PORT, timeout=PROXY_FORWARDING))
        yield proxy, app


def lower_keys(headers: dict) -> dict:
    return {key.lower(): value for key, value in headers.items()}


def assert_same_answer(proxy, app, path: str, expected: tuple[int, str]) -> None:
    """GET `path` from the app answers `expected` (status, body), and so does the proxy."""
    through_proxy, direct = proxy.get(path), app.get(path)
    precondition((direct.status_code, direct.text) == expected, f"the app answers GET {path} with {expected}")
    seen = (through_proxy.status_code, through_proxy.text)
    PROXY.require(seen == expected, ANSWERS_PASS_THROUGH_UNCHANGED,
                  f"GET {path} through the proxy to give the app's {expected}", seen)


def assert_proxy_headers(proxy, app) -> None:
    """nginx adds X-Forwarded-By and X-Real-IP and keeps the client's X-Request-Id."""
    via_proxy = lower_keys(proxy.get("/headers", headers={"X-Request-Id": "via-proxy"}).json())
    direct = lower_keys(app.get("/headers", headers={"X-Request-Id": "direct"}).json())
    precondition("x-forwarded-by" not in direct, "the app sees no X-Forwarded-By from a direct client")
    added = {key: via_proxy.get(key) for key in ("x-forwarded-by", "x-real-ip", "x-request-id")}
    PROXY.require(added["x-forwarded-by"] == "nginx-sidecar" and added["x-real-ip"]
                  and added["x-request-id"] == "via-proxy", PROXY_HEADERS,
                  "X-Forwarded-By nginx-sidecar, an X-Real-IP and the client's X-Request-Id at the app", added)


def assert_concurrent_requests(proxy, count: int = REQUESTS_AT_ONCE) -> None:
    """`count` simultaneous requests each get their own 200 answer (within CONCURRENT_REQUEST)."""
    def ask(number: int) -> str | None:
        try:
            response = proxy.get("/headers", headers={"X-Request-Id": f"request-{number}"}, timeout=CONCURRENT_REQUEST)
        except httpx.HTTPError as exc:
            return f"#{number}: {type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"#{number}: HTTP {response.status_code}"
        echoed = lower_keys(response.json()).get("x-request-id")
        return None if echoed == f"request-{number}" else f"#{number}: answered for {echoed}"

    with ThreadPoolExecutor(max_workers=count) as pool:
        problems = [p for p in pool.map(ask, range(count)) if p]
    PROXY.require(problems == [], CONCURRENT_REQUESTS, f"{count} simultaneous requests each answered 200",
                  f"{len(problems)} failed: {problems[:3]}")
