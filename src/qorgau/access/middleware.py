"""Administrators and prosecutors must confirm their login with a one-time password (TOTP)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import policy

# Paths a user may open before confirming: the OTP pages, logging out, language, static files.
OPEN_PREFIXES = ("/otp/", "/logout/", "/i18n/", "/static/", "/login/")


class RequireOTPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and policy.needs_otp(user)
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            # Encoded: a query string of its own (with "&") must come back whole.
            return redirect(f"{reverse('otp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
