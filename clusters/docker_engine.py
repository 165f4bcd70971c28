"""A running Docker engine: installed from Debian packages and started when missing.

A host that already runs Docker is left exactly as it is. Only on a host whose
capability bounding set lacks CAP_SYS_RESOURCE do we register clusters/offline/runc-nocap as
dockerd's default runtime, because kind always runs its nodes privileged.
"""
from __future__ import annotations

import json
import shutil
import subprocess

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

from helpers.kube import children

from . import host
from .paths import LOG_DIR, OFFLINE_DIR
from .steps import StepFailed, output_of, run_step, say

DOCKERD_START_TIMEOUT = 60
APT_INSTALL_TIMEOUT = 600
RUNC_WRAPPER = "/usr/local/libexec/sidecar-conformance/runc-nocap"
DAEMON_JSON = "/etc/docker/daemon.json"


# Set by `python -m tools.conformance run` for the pytest it becomes: the engine's version, asked
# (and Docker installed or started) just before, so the run does not ask again.
ANSWERED_ENV = "SIDECAR_CONFORMANCE_RUN_DOCKER"


def docker_version() -> str | None:
    """The engine's version when the docker CLI reaches a daemon, else None."""
    try:
        return output_of(["docker", "info", "--format", "{{.ServerVersion}}"], timeout=20).strip()
    except StepFailed:
        return None


def apt_install(packages: list[str], step: str) -> None:
    """Install Debian packages (apt-get update first), as one logged step."""
    run_step(f"{step} apt-get update", ["apt-get", "update", "-q"], timeout=APT_INSTALL_TIMEOUT)
    run_step(
        f"{step} apt-get install",
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env={"DEBIAN_FRONTEND": "noninteractive"},
        timeout=APT_INSTALL_TIMEOUT,
    )


def ensure_docker(install: bool = True) -> str | None:
    """Make `docker info` work: start dockerd, installing Debian's docker.io first if `install`;
    the engine's version.

    Returns None only when Docker is not installed and `install` is off.
    """
    version = docker_version()
    if version:
        return version
    if shutil.which("dockerd") is None or shutil.which("jq") is None:
        if not install:
            return None
        apt_install(["docker.io", "jq", "iptables"], "install docker")
    if host.lacks_cap_sys_resource():
        _register_runc_wrapper()
    return _start_dockerd()


def _register_runc_wrapper() -> None:
    say("host lacks CAP_SYS_RESOURCE: registering the runc wrapper as dockerd's default runtime")
    children.run(["install", "-D", "-m", "0755", str(OFFLINE_DIR / "runc-nocap"), RUNC_WRAPPER], check=True, timeout=30)
    try:
        with open(DAEMON_JSON) as f:
            config = json.load(f)
    except FileNotFoundError:
        config = {}
    config.setdefault("runtimes", {})["runc-nocap"] = {"path": RUNC_WRAPPER}
    config["default-runtime"] = "runc-nocap"
    children.run(["mkdir", "-p", "/etc/docker"], check=True, timeout=30)
    with open(DAEMON_JSON, "w") as f:
        json.dump(config, f, indent=2)


def _start_dockerd() -> str:
    """Start dockerd and wait until it answers; its version."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "dockerd.log"
    say(f"starting dockerd (log: {log})")
    with open(log, "a") as out:
        # the machine's daemon, not a child of the run: it outlives this process on purpose
        subprocess.Popen(["dockerd"], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        return Retrying(
            stop=stop_after_delay(DOCKERD_START_TIMEOUT), wait=wait_fixed(1),
            retry=retry_if_result(lambda version: not version),
        )(docker_version)
    except RetryError:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise StepFailed(f"dockerd did not answer within {DOCKERD_START_TIMEOUT}s; last lines of {log}:\n{tail}") from None
