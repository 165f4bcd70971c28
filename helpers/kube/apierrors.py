"""What the API server said when it refused a request."""
from __future__ import annotations

import json

from kubernetes import client


def api_message(exc: client.ApiException) -> str:
    """The API server's own message in an error response (its Status), else the HTTP reason."""
    try:
        return json.loads(exc.body)["message"]
    except (TypeError, ValueError, KeyError):
        return f"HTTP {exc.status} {exc.reason}"
