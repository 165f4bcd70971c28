"""Scenario 3: an nginx sidecar on port 80 proxies to the app on the Pod's loopback."""
import pytest

from helpers.checks.proxy import assert_concurrent_requests, assert_proxy_headers, assert_same_answer, proxy_and_app

pytestmark = pytest.mark.proxy


@pytest.fixture(scope="class")
def pod(shared_namespace, sidecar_style):
    shared_namespace.deploy("proxy/proxy.yaml", sidecar_style)
    return shared_namespace.pod("proxy-demo").wait_ready()


@pytest.fixture(scope="class")
def clients(pod):
    """HTTP to nginx (port 80) and to the app itself (port 8080), to compare."""
    with proxy_and_app(pod) as both:
        yield both


class TestProxyDemo:
    """The checks of one proxy-demo, per sidecar style: each only sends requests."""

    def test_body_through_the_proxy_is_exactly_the_apps(self, pod, clients):
        assert_same_answer(*clients, "/", (200, f"hello from the app of {pod.name}\n"))

    def test_status_codes_pass_through(self, clients):
        assert_same_answer(*clients, "/no/such/page", (404, "not found: /no/such/page\n"))

    def test_headers_added_by_nginx_reach_the_app(self, clients):
        assert_proxy_headers(*clients)

    def test_concurrent_requests_all_succeed(self, clients):
        proxy, _ = clients
        assert_concurrent_requests(proxy)
