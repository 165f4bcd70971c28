"""Where a cluster comes from: stock kind online, a locally built kind node offline.

The suites never import this package; only the top-level conftest and the Makefile do.
"""
