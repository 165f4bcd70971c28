"""Negative controls of the reverse proxy: the suite's checks of helpers/checks/proxy.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""

import pytest

from helpers.checks import proxy


def deploy_proxy(namespace, style, overlay):
    namespace.deploy("proxy/proxy.yaml", style, overlay)
    return namespace.pod("proxy-demo").wait_ready()


def test_proxy_pointed_at_the_wrong_port(namespace, broken, sidecar_style):
    pod = deploy_proxy(namespace, sidecar_style, "proxy/controls/proxy-wrong-port.yaml")
    with broken(proxy.PROXY_FORWARDS_TO_THE_APP), proxy.proxy_and_app(pod):
        pass


@pytest.mark.parametrize("overlay, check, failing", [
    ("proxy/controls/proxy-no-headers.yaml", proxy.assert_proxy_headers, proxy.PROXY_HEADERS),
    ("proxy/controls/proxy-intercepts-errors.yaml",
     lambda through, app: proxy.assert_same_answer(through, app, "/no/such/page", (404, "not found: /no/such/page\n")),
     proxy.ANSWERS_PASS_THROUGH_UNCHANGED),
    ("proxy/controls/proxy-rate-limited.yaml", lambda through, _app: proxy.assert_concurrent_requests(through),
     proxy.CONCURRENT_REQUESTS),
], ids=["no-headers", "intercepts-errors", "rate-limited"])
def test_broken_proxy(namespace, broken, sidecar_style, overlay, check, failing):
    pod = deploy_proxy(namespace, sidecar_style, overlay)
    with proxy.proxy_and_app(pod) as (through, app), broken(failing):
        check(through, app)
