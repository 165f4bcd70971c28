"""Where a cluster comes from: stock kind online, a locally built kind node offline.

The suites never import this package; session/kind.py (to create a kind cluster for a run),
bench/ and the Makefile do.
"""
