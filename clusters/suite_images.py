"""The suites' images (busybox, nginx, python, curl) under the exact names the manifests use.

With a registry the cluster pulls the pinned upstream images itself; without one they
are built here from Debian packages (clusters/offline/images/<name>/) and loaded into the cluster.
"""
from __future__ import annotations

from helpers.pins import pin

from .local_images import build_local_image

# versions.env key -> clusters/offline/images/<folder>
RECIPES = {"BUSYBOX_IMAGE": "busybox", "NGINX_IMAGE": "nginx", "PYTHON_IMAGE": "python", "CURL_IMAGE": "curl"}


def build_suite_images() -> list[str]:
    """Build every test image locally; return their tags."""
    return [build_local_image(folder, pin(key)) for key, folder in RECIPES.items()]
