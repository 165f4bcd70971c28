"""How the suites talk to a cluster: namespaces, Pods, exec, logs, port-forward, waits.

Nothing here knows where the cluster came from (see conftest.py) or which scenario
runs (see suites/).
"""
