"""Configuration: production settings pass the deploy check; insecure set-ups fail loudly."""

import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo


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
    result = run_qorgau("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_missing_secret_key_stops_production_start():
    result = run_qorgau("check", env_extra={"DEBUG": "0"}, unset=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


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
