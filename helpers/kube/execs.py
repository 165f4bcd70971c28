"""Run a command in a container through the API's exec subresource."""
from __future__ import annotations

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


def run(api: client.ApiClient, namespace: str, pod: str, container: str, command: list[str],
        timeout: Timeout = EXEC) -> ExecResult:
    """Run `command` in the container and wait (up to `timeout`) for it to exit.

    `kubernetes.stream` swaps the request function of the client it is given while it
    connects, so every exec gets a client of its own: other threads keep theirs.
    """
    observers.tell(observers.EXEC, namespace, pod=pod, container=container)
    with client.ApiClient(api.configuration) as own:
        session = stream(
            client.CoreV1Api(own).connect_get_namespaced_pod_exec,
            pod, namespace, container=container, command=command,
            stdin=False, stdout=True, stderr=True, tty=False, _preload_content=False,
        )
        try:
            session.run_forever(timeout=timeout.seconds)
            if session.is_open():
                raise AssertionError(f"[{timeout.name}] {command} in {namespace}/{pod}/{container} "
                                     f"still running after {timeout.seconds:g}s")
            try:
                code = session.returncode
            except ValueError as exc:  # the client cannot parse a refusal ("container not found"...)
                raise CannotHappen(f"exec {command} in {namespace}/{pod}/{container}",
                                   f"cannot exec in {namespace}/{pod}/{container}: {refusal(exc)}") from None
            return ExecResult(
                tuple(command),
                session.read_channel(STDOUT_CHANNEL),
                session.read_channel(STDERR_CHANNEL),
                code,
            )
        finally:
            session.close()
