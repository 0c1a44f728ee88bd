"""Settings for the test suite: production settings with a throw-away key.

The database comes from DATABASE_URL exactly as in production, so `make test` runs on SQLite by
default and on PostgreSQL when DATABASE_URL points to one.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from qorgau.settings import *  # noqa: F403

# Argon2 with its production cost makes every login in a test take ~50 ms; MD5 keeps the suite
# fast. Production hashing is checked by tests/test_settings.py against qorgau.settings itself.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Close connections after each request: live-server threads must not keep the test database
# open when the suite drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# An import's progress (registry/imports.py) in this process's memory: the tests run the task
# and the worker in the test process, and never write under the checkout's var/.
CACHES["progress"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
