"""`make bench`: where the suite's time goes, compared with the waits Kubernetes imposes."""
