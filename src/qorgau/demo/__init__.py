"""Demonstration data: the top floor. It may import every app; nothing imports it."""
