"""The Kubernetes version matrix: which versions (matrix.json), one version built and run here
(run.py), and every version's results side by side (table.py, docs/matrix.md)."""
