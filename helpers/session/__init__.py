"""The run's session: which cluster it tests, checked before any test, and what it cleans up.

attach.py opens an existing cluster from a kubeconfig; kind.py creates (or reuses) a kind
cluster through the cluster build (the only module of the suites' side that imports clusters/);
preflight.py checks the API server and tools; opening.py makes the kind cluster while xdist
starts its workers and hands the session to them; cleanup.py and leftovers.py delete what
runs left behind.
"""
