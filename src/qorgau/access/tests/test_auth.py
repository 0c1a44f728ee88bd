"""Authentication hardening: lockout, one-time passwords, headers and cookies."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.fixtures import make_user

pytestmark = pytest.mark.django_db


def test_login_locks_after_repeated_failures_even_with_the_right_password(client):
    make_user("registrar_x", "registrar")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "registrar_x", "password": "wrong"})
        assert response.status_code in (200, 429)
    response = client.post(
        "/login/", {"username": "registrar_x", "password": "registrar_x-pass-123"}
    )
    assert response.status_code == 429
    assert client.get("/").status_code == 302  # not logged in


def test_prosecutor_must_confirm_with_a_one_time_code(client):
    call_command("create-demo-users", stdout=io.StringIO())
    client.post("/login/", {"username": "prosecutor_shymkent", "password": "Qorgau-demo-2026"})
    for path in ("/", "/oversight/", "/registry/cases/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/otp/"), path
    response = client.post("/otp/", {"token": "000000", "next": "/oversight/"})
    assert response.status_code == 400
    # A failure throttles the device (django-otp doubles the wait); let that time pass.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username="prosecutor_shymkent")
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    code = io.StringIO()
    call_command("totp-code", "prosecutor_shymkent", stdout=code)
    response = client.post("/otp/", {"token": code.getvalue().strip(), "next": "/oversight/"})
    assert response["Location"] == "/oversight/"
    assert client.get("/oversight/").status_code == 200


def test_new_administrator_sets_up_the_authenticator_with_a_local_qr_code(client):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("admin_new", "administrator", is_staff=True, is_superuser=True)
    client.force_login(user)
    # The password alone does not show the key: an administrator's enrolment code is needed.
    assert b"<svg" not in client.get("/otp/").content
    enrolment_code = io.StringIO()
    call_command("otp-enrolment-code", "admin_new", stdout=enrolment_code, stderr=io.StringIO())
    client.post("/otp/", {"enrolment_code": enrolment_code.getvalue().strip(), "next": "/"})
    page = client.get("/otp/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    response = client.post("/otp/", {"token": f"{token:06d}", "next": "/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_open_redirect_after_otp_is_refused(client, login):
    user = make_user("admin_r", "administrator", is_superuser=True, is_staff=True)
    login(client, user)
    response = client.get("/otp/", {"next": "https://evil.example/"})
    assert 'value="/"' in response.content.decode()


def test_every_page_carries_a_same_origin_content_security_policy(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert "http" not in csp  # no other origin named
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_strict():
    import qorgau.settings as production

    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY and production.CSRF_COOKIE_HTTPONLY
    assert production.SESSION_COOKIE_SAMESITE == production.CSRF_COOKIE_SAMESITE == "Strict"
