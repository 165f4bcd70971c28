"""The library the suites stand on: how to talk to a cluster (kube, the bottom), the run's session,
reporting, and the checks."""
