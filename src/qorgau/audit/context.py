"""Who is acting, and from where: set per request by the middleware and per command by the
command base, read by the audit log."""

import contextvars
import getpass
from contextlib import contextmanager

from qorgau.core.actors import Actor
from qorgau.core.http import client_ip

_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "qorgau_actor", default=None
)


def current() -> Actor:
    actor = _current.get()
    if actor is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
        return Actor(None, f"cli:{name}")
    return actor


@contextmanager
def acting(user, source: str, name: str = ""):
    """Run a block as ``user`` (None: the system, called ``name``) acting from ``source``."""
    token = _current.set(Actor(user, source, name))
    try:
        yield
    finally:
        _current.reset(token)


# Set while a bulk action (a case import) runs: record() writes nothing, and the action writes
# its own entries, standing for everything it did, at its end (``registry.csvio``). Thousands of
# rows then make a few entries instead of five each, written in a moment just before the
# commit: the audit chain's lock is held from an entry's INSERT to the commit.
_replaced: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "qorgau_audit_replaced", default=False
)


@contextmanager
def entries_replaced():
    """Inside the block, the audit log writes nothing; the caller must write entries that stand
    for everything done in it (one ``registry.case.import`` per region and batch of cases)."""
    token = _replaced.set(True)
    try:
        yield
    finally:
        _replaced.reset(token)


def replaced() -> bool:
    """Is a bulk action writing its own entries instead (:func:`entries_replaced`)?"""
    return _replaced.get()


class AuditContextMiddleware:
    """Make the request's user and address the actor of everything the request does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(getattr(request, "user", None), client_ip(request)):
            return self.get_response(request)
