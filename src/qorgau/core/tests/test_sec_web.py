"""Web and authentication hardening: headers on every answer, no-store for staff and exports,
control characters answered 400, the client address behind a proxy, OTP enrolment codes."""

import logging

import pytest
from django.utils import translation
from django.utils.translation import gettext

from qorgau.access.tests.test_access import all_patterns, concrete, url_for, world  # noqa: F401 - `world` is a fixture
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                    "Referrer-Policy")  # fmt: skip


def assert_security_headers(response, what):
    for header in SECURITY_HEADERS:
        assert response.has_header(header), (what, response.status_code, header)
    assert "default-src 'self'" in response["Content-Security-Policy"], what
    assert response["X-Frame-Options"] == "DENY", what
    assert response["X-Content-Type-Options"] == "nosniff", what


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- Finding 14: headers on every response, no-store for staff and exports -------------------


def test_language_prefix_redirect_carries_csp_and_frame_options(client):
    # /help/ has no language prefix: the locale middleware answers with a redirect to /kk/help/.
    response = client.get("/help/")
    assert response.status_code == 302 and response["Location"] == "/kk/help/"
    assert_security_headers(response, "language redirect")
    assert_security_headers(client.get("/"), "entrance redirect")


def test_not_found_bad_request_and_forbidden_answers_carry_security_headers(client, login):
    assert_security_headers(client.get("/kk/no-such-page/"), "public 404")
    assert_security_headers(client.get("/registry/cases/a%00b/"), "400")
    login(client, make_user("registrar_h", "registrar", "KZ-79"))
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    assert_security_headers(forbidden, "403")
    missing = client.get("/registry/cases/no-such-case/")
    assert missing.status_code == 404
    assert_security_headers(missing, "staff 404")
    assert no_store(forbidden) and no_store(missing)


def test_every_response_to_a_logged_in_user_is_no_store_and_public_pages_stay_cacheable(
    client,
    login,
    world,  # noqa: F811
):
    public = client.get("/kk/")
    assert public.status_code == 200
    assert not no_store(public) and "max-age=300" in public["Cache-Control"]
    assert public["Referrer-Policy"] == "no-referrer"  # the view's stricter value is kept
    login(client, make_user("prosecutor_h", "prosecutor"))
    for path in ("/", "/registry/cases/", "/oversight/", "/audit/", "/otp/", "/kk/",
                 f"/registry/cases/{world['KZ-79']['case'].number}/"):  # fmt: skip
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert no_store(response), path


def test_every_export_is_no_store_even_for_an_anonymous_visitor(client, login, world):  # noqa: F811
    public_csv = client.get("/kk/statistics.csv")
    assert public_csv.status_code == 200 and no_store(public_csv)
    login(client, make_user("admin_h", "administrator", is_staff=True, is_superuser=True))
    exports = ("/registry/cases/export.csv", "/audit/export.csv", "/oversight/export.csv",
               "/stats/export/un-cts-2025.csv", "/stats/export/un-cts-2025.xlsx")  # fmt: skip
    for path in exports:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "attachment" in response["Content-Disposition"] and no_store(response), path


def test_a_response_setting_a_cookie_is_not_stored_by_caches(client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/ru/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "ru"
    assert no_store(response)


# --- Finding 11: control characters are a 400, never a 500 ----------------------------------

NUL_QUERY = "?q=%00&case=%00&decision=%00&region=%00&next=%00&page=%00&%00=1"


def test_nul_byte_in_any_path_or_query_is_answered_400_as_administrator(client, login, world):  # noqa: F811
    """A crawl of every URL pattern of the project (the admin's included) with a NUL byte in
    the path and in the query string: each answer is the 400 page, none a server error."""
    admin = make_user("admin_nul", "administrator", is_staff=True, is_superuser=True)
    login(client, admin)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=admin)
    paths = set()
    for route, _name, _callback in all_patterns():
        object_id = device.pk if route.startswith("admin/otp_totp/") else world["KZ-79"]["case"].pk
        paths.add(concrete(route, object_id))
    assert len(paths) > 80
    with translation.override("kk"):
        bad_request = gettext("Bad request")  # the page's title, in the default language
    assert bad_request != "Bad request"
    for path in sorted(paths):
        with_nul = path + "a%00b/" if path.endswith("/") else path + "%00"
        for variant in (with_nul, path + NUL_QUERY):
            response = client.get(variant)
            assert response.status_code == 400, (variant, response.status_code)
            assert bad_request in response.content.decode(), variant
    # The reviewer's examples, each for the record.
    for path in ("/registry/cases/a%00b/", "/registry/reports/?decision=%00",
                 "/oversight/control/new/?case=%00", "/admin/registry/case/?q=%00"):  # fmt: skip
        assert client.get(path).status_code == 400, path


def test_nul_in_a_form_field_or_a_cookie_is_answered_400_but_line_breaks_pass(
    client,
    login,
    world,  # noqa: F811
):
    assert client.post("/login/", {"username": "admin\x00", "password": "x"}).status_code == 400
    make_user("registrar_tab", "registrar")
    response = client.post("/login/", {"username": "registrar_tab", "password": "a\tb\r\nc"})
    assert response.status_code == 200  # the login form again (wrong password), not a 400
    login(client, make_user("registrar_nul", "registrar", "KZ-79"))
    case = world["KZ-79"]["case"]
    response = client.post(f"/registry/cases/{case.number}/party/", {"role\x00": "victim"})
    assert response.status_code == 400
    response = client.post("/registry/reports/new/", {"summary": "before\x00after"})
    assert response.status_code == 400
    # A failed login's User-Agent is stored by the lockout (PostgreSQL refuses NUL in text).
    response = client.post("/login/", {"username": "x", "password": "y"}, HTTP_USER_AGENT="a\x00b")
    assert response.status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code == 400


def test_bad_request_page_is_translated(client):
    client.cookies["django_language"] = "ru"
    response = client.get("/registry/cases/a%00b/")
    assert response.status_code == 400
    assert response["Content-Language"] == "ru"


# --- Finding 3: the client address behind a proxy --------------------------------------------

PROXY = "10.0.0.1"


def fail_login(client, username, forwarded, remote=PROXY, password="wrong"):  # noqa: S107
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_one_proxy_forged_forwarded_for_cannot_lock_out_the_real_user(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("prosecutor_p", "registrar")
    # The attacker writes any X-Forwarded-For it likes; the proxy appends the real peer.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, "prosecutor_p", f"192.0.2.{attempt}, 203.0.113.9")
    locked = fail_login(client, "prosecutor_p", "192.0.2.200, 203.0.113.9", password="prosecutor_p-pass-123")  # fmt: skip
    assert locked.status_code == 429  # a new forged address does not get the attacker out
    # The real user, behind the same proxy (same REMOTE_ADDR), from their own address.
    real = fail_login(client, "prosecutor_p", "198.51.100.7", password="prosecutor_p-pass-123")
    assert real.status_code == 302


def test_without_a_proxy_forwarded_for_is_ignored_by_lockout_and_audit(
    client, login, settings, make_case
):
    # A TLS proxy declared (X-Forwarded-Proto) but no proxy count: the header is still not trusted.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0
    make_user("registrar_np", "registrar")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, "registrar_np", f"192.0.2.{attempt}", remote="203.0.113.9")
    right = fail_login(client, "registrar_np", "192.0.2.99", remote="203.0.113.9", password="registrar_np-pass-123")  # fmt: skip
    assert right.status_code == 429
    from qorgau.audit.models import AuditEntry

    case = make_case()
    login(client, make_user("registrar_np2", "registrar", "KZ-79"))
    client.get(f"/registry/cases/{case.number}/", REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR="192.0.2.1")  # fmt: skip
    assert AuditEntry.objects.filter(action="case.view").latest("pk").source == "203.0.113.10"


def test_lockout_and_audit_see_the_same_client_address_behind_two_proxies(
    client, login, settings, make_case
):
    from axes.models import AccessAttempt

    from qorgau.audit.models import AuditEntry

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 2
    hops = {"REMOTE_ADDR": "10.0.0.3", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.4, 10.0.0.2"}
    user = make_user("registrar_2p", "registrar", "KZ-79")
    client.post("/login/", {"username": "registrar_2p", "password": "wrong"}, **hops)
    assert AccessAttempt.objects.get(username="registrar_2p").ip_address == "198.51.100.4"
    case = make_case()
    login(client, user)
    client.get(f"/registry/cases/{case.number}/", **hops)
    assert AuditEntry.objects.filter(action="case.view").latest("pk").source == "198.51.100.4"
    # A header shorter than the proxy chain did not come through our proxies: the peer counts.
    client.get(f"/registry/cases/{case.number}/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="6.6.6.6")  # fmt: skip
    assert AuditEntry.objects.filter(action="case.view").latest("pk").source == "203.0.113.5"


def test_deploy_check_refuses_a_proxy_setting_inconsistent_with_the_tls_proxy(settings):
    from qorgau.access import checks

    def ids():
        found = checks.check_client_address(None) + checks.check_middleware(None)
        return {error.id for error in found}

    assert ids() == set()
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert ids() == {"qorgau.access.E001"}
    settings.TRUSTED_PROXY_COUNT = 1
    assert ids() == set()
    settings.SECURE_PROXY_SSL_HEADER = None
    assert ids() == {"qorgau.access.E002"}
    settings.TRUSTED_PROXY_COUNT = 0
    settings.AXES_CLIENT_IP_CALLABLE = None
    assert ids() == {"qorgau.access.E003"}


def test_deploy_check_refuses_middleware_that_would_bring_the_findings_back(settings):
    from qorgau.access import checks

    def ids():
        return {error.id for error in checks.check_middleware(None)}

    original = list(settings.MIDDLEWARE)
    headers, control = checks.HEADERS, checks.CONTROL
    settings.MIDDLEWARE = [m for m in original if m != headers] + [headers]
    assert ids() == {"qorgau.access.E004"}
    settings.MIDDLEWARE = [m for m in original if m != control]
    assert ids() == {"qorgau.access.E005"}
    settings.MIDDLEWARE = [m for m in original if m != control] + [control]
    assert ids() == {"qorgau.access.E005"}
    settings.MIDDLEWARE = [m for m in original if m != checks.OTP]
    assert ids() == {"qorgau.access.E006"}
    settings.MIDDLEWARE = [m for m in original if m != checks.CSP]
    assert ids() == {"qorgau.access.E007"}
    settings.MIDDLEWARE = [m for m in original if m != checks.CSP] + [checks.CSP]
    assert ids() == {"qorgau.access.E007"}
    settings.MIDDLEWARE = original
    settings.SECURE_CSP = {}
    assert ids() == {"qorgau.access.E007"}


def test_qorgau_check_deploy_fails_behind_a_tls_proxy_without_a_proxy_count():
    from .test_settings import PRODUCTION, run_qorgau

    result = run_qorgau("check", "--deploy", env_extra={**PRODUCTION, "BEHIND_TLS_PROXY": "1"})
    assert result.returncode != 0 and "qorgau.access.E001" in result.stderr + result.stdout
    result = run_qorgau(
        "check", "--deploy",
        env_extra={**PRODUCTION, "BEHIND_TLS_PROXY": "1", "QORGAU_TRUSTED_PROXIES": "1"},
    )  # fmt: skip
    assert "qorgau.access" not in result.stderr + result.stdout


# --- Finding 4: the first authenticator needs an administrator's enrolment code -------------


def issue_code(username, *args) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("otp-enrolment-code", username, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def current_token(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    return f"{totp.token():0{device.digits}d}"


def audit_actions(prefix="access.otp"):
    from qorgau.audit.models import AuditEntry

    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_password_alone_does_not_show_the_authenticator_key(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("prosecutor_thief", "prosecutor")
    client.post(
        "/login/", {"username": "prosecutor_thief", "password": "prosecutor_thief-pass-123"}
    )
    page = client.get("/otp/")
    assert page.status_code == 200
    assert b"<svg" not in page.content and b"enrolment_code" in page.content
    assert not TOTPDevice.objects.filter(user=user).exists()  # no key exists, none shown
    assert client.post("/otp/", {"token": "123456"}).status_code == 400
    assert client.get("/oversight/")["Location"].startswith("/otp/")


def test_enrolment_code_is_single_use_and_lets_only_its_own_session_set_up(client):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from qorgau.access.models import EnrolmentCode

    user = make_user("prosecutor_new", "prosecutor")
    code = issue_code("prosecutor_new")
    assert len(code) == 19 and code.count("-") == 3
    row = EnrolmentCode.objects.get(user=user)
    assert code.replace("-", "") not in row.code_hash  # kept only as a keyed hash
    thief, owner = Client(), client
    for session in (thief, owner):
        session.force_login(user)
    # The owner types the code (spaces and small letters are forgiven) and sees the key.
    response = owner.post("/otp/", {"enrolment_code": code.lower().replace("-", " "), "next": "/oversight/"})  # fmt: skip
    assert response.status_code == 302
    assert b"<svg" in owner.get(response["Location"]).content
    # The same code a second time, in the thief's session: refused, and the key is not shown.
    assert thief.post("/otp/", {"enrolment_code": code}).status_code == 400
    assert b"<svg" not in thief.get("/otp/").content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert thief.post("/otp/", {"token": current_token(device)}).status_code == 400
    response = owner.post("/otp/", {"token": current_token(device), "next": "/oversight/"})
    assert response["Location"] == "/oversight/"
    device.refresh_from_db()
    assert device.confirmed
    assert audit_actions() == [
        "access.otp_enrolment.issue", "access.otp_enrolment.use",
        "access.otp_enrolment.wrong_code", "access.otp_device.confirm",
    ]  # fmt: skip


def test_expired_enrolment_code_is_refused(client):
    import datetime as dt

    from django.utils import timezone

    from qorgau.access.models import EnrolmentCode

    user = make_user("admin_late", "administrator", is_staff=True, is_superuser=True)
    code = issue_code("admin_late", "--hours", "1")
    row = EnrolmentCode.objects.get(user=user)
    assert dt.timedelta(minutes=59) < row.expires_at - timezone.now() <= dt.timedelta(hours=1)
    EnrolmentCode.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    client.force_login(user)
    assert client.post("/otp/", {"enrolment_code": code}).status_code == 400
    assert b"<svg" not in client.get("/otp/").content


def test_wrong_enrolment_codes_are_throttled_and_audited(client):
    from qorgau.access import enrolment

    user = make_user("prosecutor_guess", "prosecutor")
    code = issue_code("prosecutor_guess")
    client.force_login(user)
    answers = [
        client.post("/otp/", {"enrolment_code": f"WRONG-CODE-{n:04d}"}).status_code
        for n in range(enrolment.MAX_FAILED_ATTEMPTS)
    ]
    assert answers == [400] * (enrolment.MAX_FAILED_ATTEMPTS - 1) + [429]
    # The code is cancelled: even the right one no longer works.
    assert client.post("/otp/", {"enrolment_code": code}).status_code == 400
    assert b"<svg" not in client.get("/otp/").content
    actions = audit_actions("access.otp_enrolment")
    # One entry per try: the last wrong one is the cancellation (saying which try it was);
    # the right code typed after it is one more wrong try.
    assert actions == ["access.otp_enrolment.issue"] + ["access.otp_enrolment.wrong_code"] * (
        enrolment.MAX_FAILED_ATTEMPTS - 1
    ) + ["access.otp_enrolment.cancel", "access.otp_enrolment.wrong_code"]
    from qorgau.audit.models import AuditEntry

    cancel = AuditEntry.objects.get(action="access.otp_enrolment.cancel")
    assert cancel.details["failed_attempts"] == enrolment.MAX_FAILED_ATTEMPTS


def test_a_new_code_cancels_the_earlier_one_and_none_is_issued_over_an_authenticator(login):
    from django.core.management.base import CommandError

    from qorgau.access import enrolment

    user = make_user("prosecutor_two", "prosecutor")
    first = issue_code("prosecutor_two")
    second = issue_code("prosecutor_two")
    assert enrolment.redeem(user, first) == "wrong"
    assert enrolment.redeem(user, second) == "ok"
    from django.test import Client

    login(Client(), user)  # confirms a device
    with pytest.raises(CommandError, match="«prosecutor_two»"):  # "… already has an authenticator"
        issue_code("prosecutor_two")
    registrar = make_user("registrar_issuer", "registrar")
    from qorgau.access import policy

    with pytest.raises(policy.NotAllowed):
        enrolment.issue(registrar, make_user("prosecutor_three", "prosecutor"))


def test_administrator_issues_a_code_from_the_users_admin_shown_once(client, login):
    from django.contrib.auth import get_user_model

    admin = make_user("admin_issuer", "administrator", is_staff=True, is_superuser=True)
    target = make_user("prosecutor_admin", "prosecutor")
    login(client, admin)
    response = client.post(
        "/admin/auth/user/",
        {"action": "issue_enrolment_codes", "_selected_action": [target.pk]},
    )
    assert response.status_code == 200 and no_store(response)
    page = response.content.decode()
    import re

    code = re.search(r"<code>([A-Z0-9-]{19})</code>", page).group(1)
    from qorgau.access import enrolment

    assert enrolment.redeem(get_user_model().objects.get(pk=target.pk), code) == "ok"
    from qorgau.audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="access.otp_enrolment.issue")
    assert entry.username == "admin_issuer" and entry.object_id == str(target.pk)


def test_demo_users_each_get_their_own_authenticator_key():
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # A demo database made before: the admin's device has the key once shared by all.
    old_key = "716f726761752d64656d6f2d746f74702d6b6579"
    admin = get_user_model().objects.create_user("admin", password="x" * 12)
    TOTPDevice.objects.create(user=admin, name="demo", key=old_key, confirmed=True)
    out = io.StringIO()
    call_command("create-demo-users", stdout=out)
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    keys = {device.user.username: device.key for device in devices}
    assert set(keys) == {"admin", "prosecutor", "prosecutor_shymkent"}
    assert len(set(keys.values())) == 3 and old_key not in keys.values()
    import base64

    for device in devices:
        assert base64.b32encode(device.bin_key).decode() in out.getvalue()
    # A second run keeps the keys (the authenticator entries stay valid) and prints them again.
    call_command("create-demo-users", stdout=io.StringIO())
    assert {d.user.username: d.key for d in TOTPDevice.objects.filter(confirmed=True)} == keys


def test_one_time_password_page_returns_to_the_whole_address_asked_for(client):
    from urllib.parse import parse_qs, urlsplit

    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("prosecutor_next", "prosecutor")
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    client.force_login(user)
    asked = "/registry/cases/?region=KZ-79&status=open"
    location = client.get(asked)["Location"]
    assert parse_qs(urlsplit(location).query)["next"] == [asked]
    response = client.post("/otp/", {"token": current_token(device), "next": asked})
    assert response["Location"] == asked


def test_a_refused_request_is_logged_once_in_one_line_without_a_traceback(client, login, caplog):
    """The console handler's formatter gets the record as the policy left it: before, Django's
    warning carried the PermissionDenied traceback (and runserver logged the request again)."""
    login(client, make_user("registrar_log", "registrar", "KZ-79"))
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert client.get("/audit/").status_code == 403
    refusals = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert len(refusals) == 1, [r.getMessage() for r in refusals]
    line = logging.Formatter().format(refusals[0])
    assert line == "Forbidden (Permission denied): /audit/"
    # The development server's own line for the same request is dropped; others are kept.
    server = logging.getLogger("django.server")
    for status, kept in ((403, False), (200, True), (404, True)):
        record = server.makeRecord(
            "django.server", logging.WARNING, __file__, 1, '"GET / HTTP/1.1" %s 0', (status,), None
        )
        record.status_code = status
        assert bool(server.filter(record)) is kept, status
