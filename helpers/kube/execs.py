"""Run a command in a container through the API's exec subresource."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kubernetes import client
from kubernetes.stream import stream
from kubernetes.stream.ws_client import STDERR_CHANNEL, STDOUT_CHANNEL

from helpers.kube import observers
from helpers.kube.timeouts import EXEC, Timeout
from helpers.kube.waits import CannotHappen


@dataclass(frozen=True)
class ExecResult:
    """What a command printed and how it exited."""

    command: tuple[str, ...]
    stdout: str
    stderr: str
    exit_code: int

    def describe(self) -> str:
        """The command and its outcome, for an assertion message."""
        return (f"$ {' '.join(self.command)} -> exit {self.exit_code}\n"
                f"stdout: {self.stdout!r}\nstderr: {self.stderr!r}")


def refusal(exc: ValueError) -> str:
    """The kubelet's words in the client's ValueError about an exec it refused."""
    text = str(exc)
    return text.split(": ", 1)[1].strip().strip("'") if "invalid literal" in text else text


def handshake_refusal(exc: client.ApiException) -> str:
    """The server's words in the client's ApiException about an exec handshake it refused:
    its reason reads "Handshake status <code> <text> -+-+- <headers> -+-+- <body>"."""
    parts = str(exc.reason).split(" -+-+- ")
    words = parts[-1] if len(parts) > 1 and parts[-1] != "None" else ""
    status = parts[0].removeprefix("Handshake status ").strip()
    return f"{words} (HTTP {status})" if words else status


@contextmanager
def refused_handshake(where: str, command: list[str]) -> Iterator[None]:
    """An exec whose handshake the server refuses (a container that exited, say) as
    CannotHappen. The client raises an ApiException without a body, which its own error
    handling then turns into an AttributeError whose context is that ApiException."""
    try:
        yield
    except (client.ApiException, AttributeError) as exc:
        refused = exc if isinstance(exc, client.ApiException) else exc.__context__
        if not isinstance(refused, client.ApiException):
            raise
        raise cannot_exec(where, command, handshake_refusal(refused)) from None


def cannot_exec(where: str, command: list[str], words: str) -> CannotHappen:
    """An exec the server or the kubelet refused, in their words."""
    return CannotHappen(f"exec {command} in {where}", f"cannot exec in {where}: {words}")


def run(api: client.ApiClient, namespace: str, pod: str, container: str, command: list[str],
        timeout: Timeout = EXEC) -> ExecResult:
    """Run `command` in the container and wait (up to `timeout`) for it to exit.

    `kubernetes.stream` swaps the request function of the client it is given while it
    connects, so every exec gets a client of its own: other threads keep theirs.
    """
    observers.tell(observers.EXEC, namespace, pod=pod, container=container)
    where = f"{namespace}/{pod}/{container}"
    with client.ApiClient(api.configuration) as own:
        with refused_handshake(where, command):
            session = stream(
                client.CoreV1Api(own).connect_get_namespaced_pod_exec,
                pod, namespace, container=container, command=command,
                stdin=False, stdout=True, stderr=True, tty=False, _preload_content=False,
            )
        try:
            session.run_forever(timeout=timeout.seconds)
            if session.is_open():
                raise AssertionError(f"[{timeout.name}] {command} in {where} still running after {timeout.seconds:g}s")
            try:
                code = session.returncode
            except ValueError as exc:  # the client cannot parse a refusal ("container not found"...)
                raise cannot_exec(where, command, refusal(exc)) from None
            return ExecResult(
                tuple(command),
                session.read_channel(STDOUT_CHANNEL),
                session.read_channel(STDERR_CHANNEL),
                code,
            )
        finally:
            session.close()
