"""What every request and every response goes through first: security headers on every answer
(redirects, 400s, 403s and 404s included) and a refusal of control characters in requests."""

import re

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    """Outermost: every response, whichever middleware or view made it, carries
    ``X-Frame-Options``, ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy``. The
    Content-Security-Policy (``settings.SECURE_CSP``, own origin only) is set by Django's
    ``ContentSecurityPolicyMiddleware``, which comes right after this one.

    A view may send a stricter value of its own (the public page sends no referrer at all), so
    these are defaults. ``Cache-Control: no-store`` is not a default: it replaces whatever the
    view said on every response to a logged-in user, on every download (an export) and on every
    response that sets a cookie, so that neither a shared proxy nor the browser's cache keeps
    case data or someone's session. Public pages stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        if self.private(request, response):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def private(request, response) -> bool:
        """Must no cache keep this response?"""
        if response.cookies or "attachment" in response.get("Content-Disposition", ""):
            return True
        user = getattr(request, "user", None)  # absent when refused before authentication
        return bool(user is not None and user.is_authenticated)


# C0 control characters other than tab, line feed and carriage return: PostgreSQL refuses NUL
# in text, and XML (XLSX, DOCX exports) refuses all of them. No form or link of ours sends one.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# In a path, no control character at all.
CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")


class ControlCharacterInRequest(SuspiciousOperation):
    """A request carries a control character a database or a document cannot store."""


class RefuseControlCharactersMiddleware:
    """Answer 400 (Django's ``400.html``) to a request with a NUL byte or another control
    character in its path, its query string, its form fields (names, values, file names), its
    cookies or its headers, before any view, form or database query sees it: one check for the
    whole site rather than one per field. Placed after the language is chosen, so the page is
    translated, and before anything reads the session or the user (a cookie may be the bad
    part)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self.bad_part(request)
        if where:
            # For the security log, not for the visitor (who gets 400.html).
            raise ControlCharacterInRequest(f"Control character in the request's {where}")
        return self.get_response(request)

    @staticmethod
    def bad_part(request) -> str:
        """The part of ``request`` holding a forbidden character ("" when there is none)."""
        if CONTROL_IN_PATH.search(request.path):
            return "path"
        texts = {
            "query": _items(request.GET),
            "cookies": list(request.COOKIES.items()),
            # django-axes stores User-Agent and Accept of every failed login.
            "headers": [(k, v) for k, v in request.META.items() if k.startswith("HTTP_")],
        }
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            texts["form"] = _items(request.POST) + [
                (name, upload.name or "")
                for name, uploads in request.FILES.lists()
                for upload in uploads
            ]
        for where, pairs in texts.items():
            if any(CONTROL_IN_TEXT.search(k) or CONTROL_IN_TEXT.search(v) for k, v in pairs):
                return where
        return ""


def _items(query_dict) -> list[tuple[str, str]]:
    return [(key, value) for key, values in query_dict.lists() for value in values]
