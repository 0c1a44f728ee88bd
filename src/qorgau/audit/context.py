"""The trail's context: the middleware that makes a request's user and address the current
actor (``core.actors.current()``; a command sets its own, ``core.commands``), and the switch a
bulk action uses to write its own entries instead of one per row."""

import contextvars
from contextlib import contextmanager

from qorgau.core.actors import Actor, acting
from qorgau.core.http import client_ip

# Set while a bulk action (a case import) runs: the log writes nothing, and the action writes
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
        with acting(Actor(getattr(request, "user", None), client_ip(request))):
            return self.get_response(request)
