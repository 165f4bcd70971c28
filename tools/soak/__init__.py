"""Soak: the whole suite N times against one cluster; pass counts and delay spreads."""
