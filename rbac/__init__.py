"""Least privilege: run the suites as an identity bound to rbac/sidecar-conformance.yaml only."""
