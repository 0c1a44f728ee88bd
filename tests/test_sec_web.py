"""Web and authentication hardening: headers on every answer, no-store for staff and exports,
control characters answered 400, the client address behind a proxy, OTP enrolment codes."""

import pytest

from .conftest import make_user
from .test_access import all_patterns, concrete, url_for, world  # noqa: F401 - `world` is a fixture

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
    for path in ("/registry/cases/export.csv", "/audit/export.csv", "/oversight/export.csv"):
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
    for path in sorted(paths):
        with_nul = path + "a%00b/" if path.endswith("/") else path + "%00"
        for variant in (with_nul, path + NUL_QUERY):
            response = client.get(variant)
            assert response.status_code == 400, (variant, response.status_code)
            assert "Bad request" in response.content.decode(), variant
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
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code == 400


def test_bad_request_page_is_translated(client):
    client.cookies["django_language"] = "ru"
    response = client.get("/registry/cases/a%00b/")
    assert response.status_code == 400
    assert response["Content-Language"] == "ru"
