"""The suite's fixtures live in tests/fixtures.py (a plugin, so tests next to every app get them)."""

pytest_plugins = ["tests.fixtures"]
