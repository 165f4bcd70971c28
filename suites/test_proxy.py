"""Scenario 3: an nginx sidecar on port 80 proxies to the app on the Pod's loopback."""
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.proxy

CONCURRENT_REQUESTS = 50


@pytest.fixture
def pod(namespace, sidecar_style):
    namespace.deploy("proxy.yaml", sidecar_style)
    return namespace.pod("proxy-demo").wait_ready()


@pytest.fixture
def proxy(pod):
    """HTTP to nginx (port 80), once the app answers through it."""
    with pod.http(80) as http:
        yield http


@pytest.fixture
def app(pod):
    """HTTP to the app itself (port 8080), to compare with."""
    with pod.http(8080) as http:
        yield http


def lower_keys(headers: dict) -> dict:
    return {key.lower(): value for key, value in headers.items()}


def test_body_through_the_proxy_is_exactly_the_apps(pod, proxy, app):
    through_proxy, direct = proxy.get("/"), app.get("/")
    assert through_proxy.status_code == 200
    assert through_proxy.text == direct.text == f"hello from the app of {pod.name}\n"


def test_status_codes_pass_through(proxy, app):
    through_proxy, direct = proxy.get("/no/such/page"), app.get("/no/such/page")
    assert (through_proxy.status_code, direct.status_code) == (404, 404)
    assert through_proxy.text == direct.text == "not found: /no/such/page\n"


def test_headers_added_by_nginx_reach_the_app(proxy, app):
    seen_via_proxy = lower_keys(proxy.get("/headers", headers={"X-Request-Id": "via-proxy"}).json())
    seen_direct = lower_keys(app.get("/headers", headers={"X-Request-Id": "direct"}).json())
    assert seen_via_proxy.get("x-forwarded-by") == "nginx-sidecar"
    assert seen_via_proxy.get("x-real-ip")
    assert seen_via_proxy.get("x-request-id") == "via-proxy"
    assert "x-forwarded-by" not in seen_direct, "the header must come from nginx, not the client"


def test_concurrent_requests_all_succeed(proxy):
    def ask(number: int) -> str | None:
        """None when request `number` got its own answer, else what went wrong."""
        try:
            response = proxy.get("/headers", headers={"X-Request-Id": f"request-{number}"})
        except httpx.HTTPError as exc:
            return f"#{number}: {type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"#{number}: HTTP {response.status_code}"
        echoed = lower_keys(response.json()).get("x-request-id")
        return None if echoed == f"request-{number}" else f"#{number}: answered for {echoed}"

    with ThreadPoolExecutor(max_workers=CONCURRENT_REQUESTS) as pool:
        problems = [p for p in pool.map(ask, range(CONCURRENT_REQUESTS)) if p]
    assert problems == [], f"{len(problems)} of {CONCURRENT_REQUESTS} requests failed"
