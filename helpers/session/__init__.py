"""The run's session: which cluster it tests, checked before any test, and what it cleans up.

plugin.py owns the run's life (RunSession in the process that owns the run, WorkerSession in
an xdist worker); pertest.py what happens around each test (order, namespace, evidence, cost).
attach.py opens an existing cluster from a kubeconfig; kind.py creates (or reuses) a kind
cluster through the cluster build (the only module of the suites' side that imports clusters/);
preflight.py checks the API server and tools; opening.py makes the kind cluster while xdist
starts its workers and hands the session to them; kubeletround.py runs the tests that restart
a kubelet first, one restart for them all, and turns.py gives a kubelet restart the nodes to
itself; workers.py and durations.py decide which worker runs what, longest first;
cleanup.py and leftovers.py delete what runs left behind.
"""
