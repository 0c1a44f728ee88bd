"""Who is acting, and from where: set per request by the middleware and per command by the
command base, read by the audit log."""

import contextvars
import getpass
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object | None
    source: str  # IP address for a web request, "cli:<os user>" for a command


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
def acting(user, source: str):
    """Run a block as ``user`` acting from ``source``."""
    token = _current.set(Actor(user, source))
    try:
        yield
    finally:
        _current.reset(token)


def client_ip(request) -> str:
    # REMOTE_ADDR is the peer; behind a TLS proxy settings trust X-Forwarded-For's last hop only
    # if configured (BEHIND_TLS_PROXY). Never trust a client-supplied header otherwise.
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class AuditContextMiddleware:
    """Make the request's user and address the actor of everything the request does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(getattr(request, "user", None), client_ip(request)):
            return self.get_response(request)
