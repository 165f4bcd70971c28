"""Pod.http: a request through a forward that ended fails as a ConnectError quoting kubectl;
keep_alive=False puts each request on a connection of its own."""
import http.server
import threading
from contextlib import contextmanager
from types import SimpleNamespace

import httpx
import pytest

from helpers.kube import pods


class _Counting(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive unless the client says close
    ports: list[int] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.ports.append(self.client_address[1])
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Counting.ports = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


class _Forward:
    def __init__(self, url):
        self.url, self.transport, self.why = url, None, None

    def ended(self):
        return self.why


def _pod(monkeypatch, forward):
    @contextmanager
    def reach(*args):
        yield forward

    monkeypatch.setattr(pods, "reach", reach)
    pod = pods.Pod(SimpleNamespace(target=None, api=None), "ns", "web")
    monkeypatch.setattr(pod, "report", lambda: "pod ns/web: phase=Running")
    return pod


def test_a_request_through_a_forward_that_ended_fails_with_kubectls_words(monkeypatch, server):
    forward = _Forward(f"http://127.0.0.1:{server.server_port}")
    with _pod(monkeypatch, forward).http(80) as http:
        assert http.get("/").text == "ok\n"
        forward.why = "kubectl port-forward exited 1: E... lost connection to pod"
        with pytest.raises(httpx.ConnectError, match="lost connection to pod"):
            http.get("/")


@pytest.mark.parametrize("keep_alive, connections", [(True, 1), (False, 4)])
def test_keep_alive_false_opens_a_connection_per_request(monkeypatch, server, keep_alive, connections):
    forward = _Forward(f"http://127.0.0.1:{server.server_port}")
    with _pod(monkeypatch, forward).http(80, keep_alive=keep_alive) as http:
        for _ in range(3):
            http.get("/")
    assert len(_Counting.ports) == 4 and len(set(_Counting.ports)) == connections


def test_a_forward_that_ends_before_the_port_answers_is_started_again(monkeypatch, server):
    """kubectl exits on a connection the Pod refuses (a port not listening yet): the wait starts
    it again instead of giving up, and the client it yields works."""
    forward = _Forward(f"http://127.0.0.1:{server.server_port}")
    forward.why = "kubectl port-forward exited 1: failed to connect to localhost:8080 inside namespace"
    reopened: list[str] = []

    def reopen():
        reopened.append(forward.why)
        forward.why = None

    forward.reopen = reopen
    with _pod(monkeypatch, forward).http(80) as http:
        assert http.get("/").text == "ok\n"
    assert reopened == ["kubectl port-forward exited 1: failed to connect to localhost:8080 inside namespace"]
