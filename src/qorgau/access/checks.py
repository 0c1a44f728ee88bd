"""Deployment checks (``qorgau check --deploy``) that keep the web and login hardening from
coming undone by a setting: the client address behind a proxy, and the middleware that sets
the security headers (Django's Content-Security-Policy among them), refuses control characters
and asks for the one-time password."""

from django.conf import settings
from django.core.checks import Error, Tags, register

CLIENT_IP = "qorgau.core.http.client_ip"
HEADERS = "qorgau.core.middleware.SecurityHeadersMiddleware"
CSP = "django.middleware.csp.ContentSecurityPolicyMiddleware"
CONTROL = "qorgau.core.middleware.RefuseControlCharactersMiddleware"
OTP = "qorgau.access.middleware.RequireOTPMiddleware"
# Middleware that read cookies, the session or form fields: the control-character check must
# come before them.
READERS = (
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
)


@register(Tags.security, deploy=True)
def check_client_address(app_configs, **kwargs):
    """The proxy count must match the deployment, and the lockout must count the same address
    the audit records."""
    errors = []
    behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if behind_proxy and count == 0:
        errors.append(
            Error(
                "BEHIND_TLS_PROXY=1 but QORGAU_TRUSTED_PROXIES=0: every request would come from "
                "the proxy's address, so five wrong passwords from anyone lock the user out for "
                "everyone, and the audit trail records the proxy.",
                hint="Set QORGAU_TRUSTED_PROXIES to the number of proxies in front of Qorgau "
                "(1 for one nginx appending $proxy_add_x_forwarded_for).",
                id="qorgau.access.E001",
            )
        )
    if count > 0 and not behind_proxy:
        errors.append(
            Error(
                "QORGAU_TRUSTED_PROXIES is set but BEHIND_TLS_PROXY=0: X-Forwarded-For would be "
                "trusted although no proxy of ours writes it, so a client chooses its address.",
                hint="Set BEHIND_TLS_PROXY=1 if Qorgau runs behind a TLS proxy, else "
                "QORGAU_TRUSTED_PROXIES=0.",
                id="qorgau.access.E002",
            )
        )
    if getattr(settings, "AXES_CLIENT_IP_CALLABLE", None) != CLIENT_IP:
        errors.append(
            Error(
                "The login lockout does not take the client's address from the function the "
                "audit trail uses.",
                hint=f'Set AXES_CLIENT_IP_CALLABLE = "{CLIENT_IP}".',
                id="qorgau.access.E003",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_middleware(app_configs, **kwargs):
    """The headers middleware is outermost and Django's CSP middleware right after it, with a
    policy; control characters are refused before anything reads a cookie or a field; the
    one-time password is asked for."""
    middleware = list(settings.MIDDLEWARE)
    errors = []
    if not middleware or middleware[0] != HEADERS:
        errors.append(
            Error(
                "The security headers middleware is not the outermost: answers given by the "
                "middleware before it (redirects, errors) lack X-Frame-Options, nosniff, "
                "Referrer-Policy and Cache-Control.",
                hint=f'Put "{HEADERS}" first in MIDDLEWARE.',
                id="qorgau.access.E004",
            )
        )
    if CSP not in middleware[:2] or not getattr(settings, "SECURE_CSP", None):
        errors.append(
            Error(
                "Django's Content-Security-Policy middleware is missing or comes after "
                "middleware that answers on its own (redirects, errors), or SECURE_CSP is "
                "empty: some answers would carry no Content-Security-Policy.",
                hint=f'Put "{CSP}" second in MIDDLEWARE, right after "{HEADERS}", and keep '
                "SECURE_CSP.",
                id="qorgau.access.E007",
            )
        )
    readers = [middleware.index(name) for name in READERS if name in middleware]
    if CONTROL not in middleware or (readers and middleware.index(CONTROL) > min(readers)):
        errors.append(
            Error(
                "Control characters (NUL) in a request are not refused before the session, the "
                "CSRF check or the forms read them: a database error (500) instead of a 400.",
                hint=f'Put "{CONTROL}" in MIDDLEWARE before CommonMiddleware.',
                id="qorgau.access.E005",
            )
        )
    if OTP not in middleware:
        errors.append(
            Error(
                "Administrators and prosecutors are not asked for a one-time password.",
                hint=f'Put "{OTP}" in MIDDLEWARE after django_otp.middleware.OTPMiddleware.',
                id="qorgau.access.E006",
            )
        )
    return errors
