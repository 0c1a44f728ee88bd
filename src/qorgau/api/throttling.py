"""The rate limit: per API client (or staff session), ``QORGAU_API_RATE`` calls a minute;
beyond it a 429 problem with ``Retry-After`` (seconds)."""

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .auth import caller_id


class ClientRateThrottle(SimpleRateThrottle):
    """Counts each caller's calls in the cache (shared by the workers when the cache is)."""

    scope = "api"

    def get_rate(self) -> str:
        return f"{settings.QORGAU_API_RATE}/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            # Public calls (the releases) by address.
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": caller_id(request)}
