"""Before any test: the cluster answers, and the tools the run uses answer at supported versions.

Every problem is one line (SessionError), found within seconds: API_REACHABLE for the
server, TOOL_QUERY for each tool.
"""
from __future__ import annotations

import json
import subprocess

from kubernetes import client

from helpers.kube import children
from helpers.kube.cluster import ClusterTarget, api_client, parse_git_version
from helpers.kube.timeouts import API_REACHABLE, TOOL_QUERY
from helpers.reporting.clusterfacts import ClusterFacts, read_facts

KUBECTL_SKEW = 1  # kubectl supports API servers one minor version older or newer than itself


class SessionError(Exception):
    """A one-line reason why the run cannot get its cluster."""


def tool_output(command: list[str], what: str) -> str:
    """Stdout of a short query; SessionError naming `what` when the tool is missing, fails or hangs."""
    shown = " ".join(command)
    try:
        done = children.run(command, capture_output=True, text=True, timeout=TOOL_QUERY)
    except FileNotFoundError:
        raise SessionError(f"{what}: {command[0]} not found") from None
    except OSError as exc:
        raise SessionError(f"{what}: cannot run {command[0]}: {exc.strerror}") from None
    except subprocess.TimeoutExpired:
        raise SessionError(f"{what}: `{shown}` gave no answer within {TOOL_QUERY:g}s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SessionError(f"{what}: `{shown}` failed (exit {done.returncode}): {last}")
    return done.stdout.strip()


def skew_problem(kubectl: str, server: str) -> str | None:
    """Why kubectl version `kubectl` is not supported against server version `server`, or None."""
    ours, theirs = parse_git_version(kubectl), parse_git_version(server)
    distance = abs(ours[1] - theirs[1]) if ours[0] == theirs[0] else None
    if distance is not None and distance <= KUBECTL_SKEW:
        return None
    apart = f"{distance} minor versions" if distance is not None else "a major version"
    lowest, highest = f"v{theirs[0]}.{max(theirs[1] - KUBECTL_SKEW, 0)}", f"v{theirs[0]}.{theirs[1] + KUBECTL_SKEW}"
    return f"kubectl {kubectl} is {apart} away from the server {server} (supported: {lowest} to {highest})"


def kubectl_version(kubectl: str) -> str:
    """The client version `kubectl version --client` reports."""
    text = tool_output([kubectl, "version", "--client", "--output", "json"], f"kubectl {kubectl}")
    try:
        version = json.loads(text)["clientVersion"]["gitVersion"]
        parse_git_version(version)
    except (ValueError, KeyError, TypeError):
        raise SessionError(f"kubectl {kubectl}: no version in `kubectl version --client` output") from None
    return version


def server_version(target: ClusterTarget) -> str:
    """The API server's version; SessionError unless it answers within API_REACHABLE."""
    where = f"{target.kubeconfig}" + (f" (context {target.context})" if target.context else "")
    try:
        with api_client(target) as api:
            return client.VersionApi(api).get_code(_request_timeout=API_REACHABLE).git_version
    except client.ApiException as exc:
        if exc.status in (401, 403):
            raise SessionError(f"cluster of {where} rejected the credentials: HTTP {exc.status} {exc.reason}") from None
        raise SessionError(f"cluster of {where} answered HTTP {exc.status} {exc.reason} to GET /version") from None
    except Exception as exc:  # config, TLS and connection errors share no base class
        first_line = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise SessionError(f"cluster of {where} is not reachable: {first_line}") from None


def tool_versions(target: ClusterTarget, server: str, known: dict[str, str]) -> dict[str, str]:
    """kubectl's version (within skew of `server`); kind's and docker's when the run drives kind
    (those in `known` not asked again)."""
    if target.kubectl is None:
        return {"kubectl": "none (in-cluster run)"}
    versions = {"kubectl": kubectl_version(target.kubectl)}
    problem = skew_problem(versions["kubectl"], server)
    if problem:
        raise SessionError(f"{problem}; pass --kubectl PATH instead of {target.kubectl}")
    if target.kind_bin:
        versions["kind"] = tool_output([target.kind_bin, "version"], "kind").removeprefix("kind ").split(" ")[0]
        versions["docker"] = known.get("docker") or tool_output(["docker", "version", "--format",
                                                                 "{{.Server.Version}}"], "docker")
    return versions


def preflight(target: ClusterTarget, known: dict[str, str]) -> ClusterFacts:
    """Check the server and the tools, in that order (tool versions in `known` already asked);
    return what the report says about them."""
    server = server_version(target)
    tools = tool_versions(target, server, known)
    with api_client(target) as api:
        return read_facts(client.CoreV1Api(api), server, tools, target.context, target.in_cluster)
