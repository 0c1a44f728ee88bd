"""Qorgau: registry, oversight and statistics for CC RK art. 115-1 and 125-1."""

__version__ = "0.1.0"
