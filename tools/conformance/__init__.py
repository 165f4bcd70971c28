"""The operator's command (python -m tools.conformance)."""
