"""The suite's container image (make image)."""
