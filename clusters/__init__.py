"""Where a cluster comes from: stock kind online, a locally built kind node offline.

The suites never import this package; helpers/session/kind.py (to create a kind cluster for a run),
tools/bench/ and the Makefile do.
"""
