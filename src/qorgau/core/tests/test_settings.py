"""Configuration: production settings pass the deploy check; insecure set-ups fail loudly."""

import datetime as dt
import os
import re
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest


def run_qorgau(*args, env_extra=None, unset=()):
    # tests/settings.py relaxes a few variables for the suite; a production start has none.
    unset = {*unset, "SECURE_SSL_REDIRECT", "QORGAU_ALLOW_INSECURE_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "qorgau", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "Zx9!pL2#qR7$wT4%yU6^iO8&aS1*dF3(gH5)jK0_" + "m" * 10,
    "ALLOWED_HOSTS": "qorgau.example.kz",
}


def test_production_settings_pass_the_deploy_check():
    """No warning and no error; on SQLite only the information that it has no database roles
    (qorgau.I001). On PostgreSQL `.ci/run` connects as the restricted application role to a
    database migrated by the owner, and the role check passes too."""
    result = run_qorgau("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    issues = set(re.findall(r"\((\w+\.[A-Z]\d+)\)", result.stdout + result.stderr))
    assert issues <= {"qorgau.I001"}, result.stdout + result.stderr
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    assert ("no issues" in result.stdout) == on_postgres, result.stdout


def test_missing_secret_key_stops_production_start(tmp_path):
    result = run_qorgau(
        "check", env_extra={"DEBUG": "0", "QORGAU_VAR_DIR": str(tmp_path)}, unset=("SECRET_KEY",)
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_readmes_totp_command_runs_on_the_demo_without_debug(tmp_path):
    """`make demo` keeps its key in var/secret_key; `.venv/bin/qorgau totp-code admin`, as the
    README writes it (no DEBUG=1, no SECRET_KEY), then works. It failed with "SECRET_KEY is not
    set" before."""
    (tmp_path / "secret_key").write_text("demo-" + "x" * 60 + "\n")
    env = {"QORGAU_VAR_DIR": str(tmp_path), "LANGUAGE": "en"}
    unset = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "DATABASE_OWNER_URL")
    for command in (("migrate", "-v", "0"), ("create-demo-users", "--lang", "en")):
        result = run_qorgau(*command, env_extra=env, unset=unset)
        assert result.returncode == 0, result.stderr
    result = run_qorgau("totp-code", "admin", env_extra=env, unset=unset)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d{6}", result.stdout.strip().splitlines()[-1]), result.stdout


def test_malformed_boolean_is_refused():
    result = run_qorgau("check", env_extra={**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_production_hashes_passwords_with_argon2():
    import qorgau.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_kazakhstan_is_utc_plus_five():
    # Kazakhstan moved to a single time zone, UTC+5, on 2024-03-01.
    moment = dt.datetime(2026, 1, 15, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    assert moment.utcoffset() == dt.timedelta(hours=5)


def production_values(*names):
    """Settings as a production start computes them (a separate process, production env)."""
    code = (
        "import json, qorgau.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SECURE_SSL_REDIRECT", "DJANGO_SETTINGS_MODULE", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_AGE")}  # fmt: skip
    env.update(PRODUCTION)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_production_cookies_are_secure_httponly_and_same_site():
    values = production_values(
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SAMESITE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_COOKIE_AGE", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "X_FRAME_OPTIONS",
    )  # fmt: skip
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert values[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert values[f"{cookie}_COOKIE_HTTPONLY"] is True, cookie
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Strict"
    assert values["LANGUAGE_COOKIE_SAMESITE"] in ("Lax", "Strict")
    # A session ends with the browser, and at the latest after one working day.
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert 0 < values["SESSION_COOKIE_AGE"] <= 8 * 3600
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_SECONDS"] >= 365 * 86400
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_content_security_policy_allows_only_the_sites_own_origin():
    directives = production_values("SECURE_CSP")["SECURE_CSP"]
    for name, sources in directives.items():
        # No host, scheme (data:, https:), wildcard, 'unsafe-inline' or 'unsafe-eval'.
        assert set(sources) <= {"'self'", "'none'"}, (name, sources)
    assert directives["default-src"] == ["'self'"]
    for name in ("frame-ancestors", "object-src"):
        assert directives[name] == ["'none'"], name
    for name in ("base-uri", "form-action", "script-src", "style-src", "img-src"):
        assert directives[name] == ["'self'"], name


@pytest.mark.django_db
def test_every_response_carries_the_policy_and_the_cookies_their_flags(client):
    from django.conf import settings
    from django.utils.csp import build_policy

    from tests.fixtures import make_user

    page = client.get("/login/")
    assert page["Content-Security-Policy"] == build_policy(settings.SECURE_CSP)
    assert page["X-Frame-Options"] == "DENY" and page["Referrer-Policy"] == "same-origin"
    assert client.get("/registry/cases/missing/")["Content-Security-Policy"]
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True and csrf["samesite"] == "Strict"
    make_user("registrar_cookie", "registrar", "KZ-79")
    login = client.post("/login/", {"username": "registrar_cookie", "password": "registrar_cookie-pass-123"})  # fmt: skip
    assert login.status_code == 302
    session = login.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True and session["samesite"] == "Strict"
    assert session["max-age"] == ""  # a browser-session cookie: gone when the browser closes
