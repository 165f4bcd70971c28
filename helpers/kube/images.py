"""Test images: the pinned names (versions.env's, given by the caller), rewritten for mirrors in one place."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

TEST_IMAGE_KEYS = ("BUSYBOX_IMAGE", "NGINX_IMAGE", "PYTHON_IMAGE", "CURL_IMAGE")
# An image no node has, named with imagePullPolicy Never: never pulled from anywhere (a
# sidecar that cannot start); left as it is by mirrors and image maps.
ABSENT_IMAGE = "localhost/sidecar-conformance/absent:never"


def pinned_images(versions: Mapping[str, str]) -> dict[str, str]:
    """The test images the manifests may name, keyed by their versions.env key."""
    missing = [key for key in TEST_IMAGE_KEYS if key not in versions]
    if missing:
        raise ValueError(f"versions.env lacks {', '.join(missing)}")
    return {key: versions[key] for key in TEST_IMAGE_KEYS}


def with_registry(ref: str, registry: str) -> str:
    """Point `ref` at `registry` (a host or host/path prefix), keeping its repository path.

    >>> with_registry("docker.io/library/busybox:1.36.1", "mirror:5000")
    'mirror:5000/library/busybox:1.36.1'
    """
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        path = rest
    elif sep:
        path = ref
    else:
        path = f"library/{ref}"
    return f"{registry.rstrip('/')}/{path}"


def parse_image_map(entries: Iterable[str], pinned: Mapping[str, str]) -> dict[str, str]:
    """Turn `FROM=TO` option values into {pinned reference: replacement}.

    FROM is a versions.env key (BUSYBOX_IMAGE) or a pinned reference.
    """
    mapping: dict[str, str] = {}
    for entry in entries:
        source, sep, target = entry.partition("=")
        if not sep or not target:
            raise ValueError(f"--image-map {entry!r}: expected FROM=TO")
        ref = pinned.get(source, source)
        if ref not in pinned.values():
            known = ", ".join(sorted(pinned))
            raise ValueError(f"--image-map {entry!r}: {source!r} is not a pinned test image ({known})")
        mapping[ref] = target
    return mapping


@dataclass(frozen=True)
class ImageMap:
    """Decides which reference a cluster pulls for each pinned test image."""

    pinned: Mapping[str, str]  # versions.env key -> pinned reference
    registry: str | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, ref: str) -> str:
        """The reference to use for pinned image `ref` (ABSENT_IMAGE as it is); anything unpinned
        is an error."""
        if ref == ABSENT_IMAGE:
            return ref
        if ref not in self.pinned.values():
            raise ValueError(f"image {ref!r} is not pinned in versions.env")
        if ref in self.overrides:
            return self.overrides[ref]
        if self.registry:
            return with_registry(ref, self.registry)
        return ref

    def image(self, key: str) -> str:
        """The reference to use for the pinned image of versions.env key `key` (BUSYBOX_IMAGE)."""
        return self.resolve(self.pinned[key])
