"""Least privilege: run the suites as an identity bound to tools/rbac/sidecar-conformance.yaml only."""
