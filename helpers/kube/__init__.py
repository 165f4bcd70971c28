"""How to talk to a cluster: namespaces, Pods, exec, logs, port-forward, and bounded waits
that stop at once on a state the cluster will not leave.

Nothing here knows where the cluster came from (helpers/session/) or which scenario runs (suites/).
"""
