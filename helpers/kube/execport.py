"""HTTP to a port a Pod listens on only on its loopback, from inside the cluster: each request is
sent by a Python of one of the Pod's own containers (an exec), as a port-forward would reach it.

The in-cluster run reaches Pods at their IPs; a port bound to 127.0.0.1 (the reverse proxy's
app) is reachable only from inside the Pod's network namespace, so it is asked from there.
"""
from __future__ import annotations

import base64
import http.client
import io

import httpx
from kubernetes import client

from helpers.kube import execs
from helpers.kube.timeouts import HTTP_REQUEST, IN_POD_MARGIN, Timeout

EXEC_REQUEST = Timeout("an HTTP request sent from inside the Pod (exec)", HTTP_REQUEST + IN_POD_MARGIN)
# in the container: connect to 127.0.0.1:<port>, send the request, print the whole answer in base64
SEND = """
import base64, socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=float(sys.argv[3])) as s:
    s.sendall(base64.b64decode(sys.argv[1]))
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
sys.stdout.write(base64.b64encode(answer).decode())
"""


class _Answer(io.BytesIO):
    def makefile(self, *_args, **_kwargs):
        return self


def raw_request(request: httpx.Request) -> bytes:
    """The request as HTTP/1.1 bytes, asking the server to close the connection after it."""
    body = request.read()
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in ("connection", "content-length")]
    headers += [("Connection", "close"), *([("Content-Length", str(len(body)))] if body else [])]
    head = f"{request.method} {request.url.raw_path.decode()} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode() + b"\r\n" + body


def parse_answer(data: bytes, request: httpx.Request) -> httpx.Response:
    """An httpx Response from the raw bytes of an HTTP/1.x answer."""
    answer = http.client.HTTPResponse(_Answer(data))
    try:
        answer.begin()
        body = answer.read()
    except (http.client.HTTPException, OSError) as exc:
        raise httpx.RemoteProtocolError(f"not an HTTP answer: {type(exc).__name__}: {exc}", request=request) from None
    return httpx.Response(answer.status, headers=answer.getheaders(), content=body, request=request)


class ExecTransport(httpx.BaseTransport):
    """Sends each request from `container` of the Pod to its loopback port `port`."""

    def __init__(self, api: client.ApiClient, namespace: str, pod: str, container: str, port: int):
        self.api, self.namespace, self.pod, self.container, self.port = api, namespace, pod, container, port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        encoded = base64.b64encode(raw_request(request)).decode()
        result = execs.run(self.api, self.namespace, self.pod, self.container,
                           ["python3", "-c", SEND, encoded, str(self.port), str(HTTP_REQUEST)], EXEC_REQUEST)
        if result.exit_code != 0:
            last = (result.stderr.strip().splitlines() or [f"exit {result.exit_code}"])[-1]
            raise httpx.ConnectError(f"from {self.pod}/{self.container} to 127.0.0.1:{self.port}: {last}",
                                     request=request)
        return parse_answer(base64.b64decode(result.stdout), request)
