"""Downloads a user can trust: kind and kubectl for the online path, checked against the
sha256 their publishers put next to them, with a timeout per request and bounded retries.

Where they come from is set in one place, versions.env (KIND_DOWNLOAD_URL,
KUBECTL_DOWNLOAD_URL), each overridable by SIDECAR_CONFORMANCE_<KEY> - the way a user
behind an internal mirror points the suite at it. `{version}`, `{os}` and `{arch}` in a
URL are filled in; the checksum is at the same URL plus KIND_CHECKSUM_SUFFIX /
KUBECTL_CHECKSUM_SUFFIX.
"""
from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from pathlib import Path

import httpx
import tenacity

from helpers.pins import pin

from .steps import StepFailed, say

REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=10.0)  # per request; a binary is tens of MB
ATTEMPTS = 3
RETRY_WAIT = 2.0  # seconds, doubled after each failed attempt
RETRIED_STATUSES = (408, 429, 500, 502, 503, 504)
ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class _Retry(Exception):
    """A failure worth another attempt (network trouble, a 5xx)."""


def architecture() -> str:
    """This machine's architecture as release files name it."""
    machine = platform.machine().lower()
    if machine not in ARCHITECTURES:
        raise StepFailed(f"no kind/kubectl release for this machine's architecture {machine!r}")
    return ARCHITECTURES[machine]


def release_url(template_key: str, version_key: str) -> str:
    """A download URL from its versions.env template."""
    return pin(template_key).format(version=pin(version_key), os="linux", arch=architecture())


def _get(client: httpx.Client, url: str) -> bytes:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise _Retry(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code in RETRIED_STATUSES:
        raise _Retry(f"HTTP {response.status_code}")
    if response.status_code != 200:
        raise StepFailed(f"download {url}: HTTP {response.status_code}")
    return response.content


def fetch(url: str) -> bytes:
    """The body of `url`, with bounded retries; StepFailed naming the URL and what happened."""
    retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(ATTEMPTS),
                                 wait=tenacity.wait_exponential(multiplier=RETRY_WAIT),
                                 retry=tenacity.retry_if_exception_type(_Retry), reraise=True)
    try:
        with httpx.Client(timeout=REQUEST_TIMEOUT, follow_redirects=True) as client:
            return retrying(_get, client, url)
    except _Retry as exc:
        raise StepFailed(f"download {url}: {exc} ({ATTEMPTS} attempts)") from None


def published_sha256(text: str, url: str) -> str:
    """The digest in a .sha256 / .sha256sum file (`<hex>` or `<hex>  <name>`)."""
    words = text.split()
    if not words or len(words[0]) != 64 or any(c not in "0123456789abcdef" for c in words[0].lower()):
        raise StepFailed(f"download {url}: not a sha256 file ({text[:80]!r})")
    return words[0].lower()


def download_verified(url: str, checksum_url: str, target: Path) -> Path:
    """Download `url` to `target` (executable) unless it is there already; verified
    against the digest at `checksum_url` before it is moved into place."""
    if target.is_file() and os.access(target, os.X_OK):
        return target
    say(f"downloading {url}")
    expected = published_sha256(fetch(checksum_url).decode(errors="replace"), checksum_url)
    body = fetch(url)
    actual = hashlib.sha256(body).hexdigest()
    if actual != expected:
        raise StepFailed(f"download {url}: sha256 {actual} does not match {expected} published at {checksum_url}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as partial:
        partial.write(body)
    os.chmod(partial.name, 0o755)
    os.replace(partial.name, target)
    return target


def stock_tools(directory: Path) -> tuple[Path, Path]:
    """kind KIND_VERSION and kubectl KUBERNETES_VERSION in `directory`, downloaded and verified."""
    tools = []
    for name, url_key, suffix_key, version_key in (("kind", "KIND_DOWNLOAD_URL", "KIND_CHECKSUM_SUFFIX", "KIND_VERSION"),
                                                   ("kubectl", "KUBECTL_DOWNLOAD_URL", "KUBECTL_CHECKSUM_SUFFIX",
                                                    "KUBERNETES_VERSION")):
        url = release_url(url_key, version_key)
        tools.append(download_verified(url, url + pin(suffix_key), directory / f"{name}-{pin(version_key)}"))
    return tools[0], tools[1]
