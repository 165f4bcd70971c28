"""Online-path downloads: verified against the published sha256, bounded, one-line failures.

The online rehearsal's file server on 127.0.0.1 stands in for the release hosts.
"""
import pytest

from clusters import downloads
from clusters.steps import StepFailed
from tools.rehearsal.fileserver import FileServer

BINARY = b"#!/bin/sh\necho kind v0.0.0\n"


@pytest.fixture
def server(tmp_path):
    (tmp_path / "kind").write_bytes(BINARY)
    with FileServer() as files:
        files.publish("kind", tmp_path / "kind", ".sha256sum")
        files.publish("bad", tmp_path / "kind", ".sha256sum")
        (files.root / "bad.sha256").write_text("0" * 64 + "\n")
        yield files.url


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(downloads, "RETRY_WAIT", 0.01)


def test_a_verified_download_lands_executable(server, tmp_path):
    target = downloads.download_verified(f"{server}/kind", f"{server}/kind.sha256sum", tmp_path / "out" / "kind-v0")
    assert target.read_bytes() == BINARY and target.stat().st_mode & 0o111


def test_a_digest_mismatch_is_one_line_and_leaves_nothing(server, tmp_path):
    target = tmp_path / "out" / "kind-v0"
    with pytest.raises(StepFailed, match=r"^download .*/kind: sha256 \w+ does not match 0{64} published at .*/bad.sha256$"):
        downloads.download_verified(f"{server}/kind", f"{server}/bad.sha256", target)
    assert not target.exists()


def test_a_missing_file_names_the_url_and_the_status(server, tmp_path):
    with pytest.raises(StepFailed, match=r"^download .*/nope.sha256sum: HTTP 404$"):
        downloads.download_verified(f"{server}/nope", f"{server}/nope.sha256sum", tmp_path / "kind")


def test_an_unreachable_host_is_retried_then_named(tmp_path):
    with pytest.raises(StepFailed, match=r"^download http://127.0.0.1:9/kind.sha256sum: ConnectError: .* \(3 attempts\)$"):
        downloads.download_verified("http://127.0.0.1:9/kind", "http://127.0.0.1:9/kind.sha256sum", tmp_path / "kind")


def test_a_checksum_file_must_hold_a_digest():
    with pytest.raises(StepFailed, match="not a sha256 file"):
        downloads.published_sha256("<html>404</html>", "u")
    assert downloads.published_sha256("A" * 64 + "  kind\n", "u") == "a" * 64


def test_urls_come_from_versions_env_and_can_be_pointed_at_a_mirror(monkeypatch):
    from helpers import pins
    pins.pins.cache_clear()
    monkeypatch.setenv("SIDECAR_CONFORMANCE_KIND_DOWNLOAD_URL", "http://127.0.0.1:8000/kind/{version}/kind-{os}-{arch}")
    try:
        assert downloads.release_url("KIND_DOWNLOAD_URL", "KIND_VERSION") == (
            f"http://127.0.0.1:8000/kind/{pins.pin('KIND_VERSION')}/kind-linux-{downloads.architecture()}")
    finally:
        pins.pins.cache_clear()


def test_the_stock_tools_come_from_the_urls_a_user_behind_a_mirror_sets(server, tmp_path, monkeypatch):
    """What the online rehearsal relies on: SIDECAR_CONFORMANCE_* URLs and suffixes replace versions.env's."""
    from helpers.pins import pins

    monkeypatch.setenv("SIDECAR_CONFORMANCE_KIND_DOWNLOAD_URL", server + "/{os}/kind")
    monkeypatch.setenv("SIDECAR_CONFORMANCE_KUBECTL_DOWNLOAD_URL", server + "/kind")
    monkeypatch.setenv("SIDECAR_CONFORMANCE_KUBECTL_CHECKSUM_SUFFIX", ".sha256sum")
    pins.cache_clear()
    try:
        with pytest.raises(StepFailed, match=r"/linux/kind.sha256sum: HTTP 404$"):
            downloads.stock_tools(tmp_path)
        monkeypatch.setenv("SIDECAR_CONFORMANCE_KIND_DOWNLOAD_URL", server + "/kind")
        pins.cache_clear()
        kind, kubectl = downloads.stock_tools(tmp_path)
        assert kind.read_bytes() == kubectl.read_bytes() == BINARY
    finally:
        pins.cache_clear()
