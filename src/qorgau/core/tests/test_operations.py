"""Running Qorgau in production (docs/operations.md): the health endpoints, ``qorgau serve``
(gunicorn, static files by WhiteNoise) and the deployment files in deploy/."""

import configparser
import io
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from qorgau.audit.models import AuditEntry
from qorgau.core import health
from qorgau.core.management.commands import serve
from qorgau.core.staticfiles import StaticFilesMiddleware, uncollected
from tests.fixtures import make_user

ROOT = Path(__file__).resolve().parents[4]
NEVER_CACHED = "max-age=0, no-cache, no-store, must-revalidate, private"


def broken_connection():
    """A connection like the test database's, to a database that cannot be reached."""
    default = connections["default"]
    settings_dict = dict(default.settings_dict)
    if default.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/qorgau-readyz/db.sqlite3"
    else:
        settings_dict.update({"NAME": "qorgau_readyz_no_such_database", "OPTIONS": {}})
    return type(default)(settings_dict, alias="readyz_broken")


# --- Health endpoints -------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_ok_without_a_database_query_for_anyone(
    client, login, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == NEVER_CACHED
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # A logged-in browser's cookies change nothing: no session is read, no entry is written.
    login(client, make_user("registrar_probe_health", "registrar"))
    before = AuditEntry.objects.count()
    with django_assert_num_queries(0):
        assert client.get("/healthz").content == b"ok\n"
        assert client.head("/healthz").status_code == 200
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_healthz_answers_while_the_database_is_down_and_readyz_says_503_without_the_cause(client):
    with mock.patch.object(health, "connections", {"default": broken_connection()}):
        live = client.get("/healthz")
        ready = client.get("/readyz")
    assert (live.status_code, live.content) == (200, b"ok\n")
    assert (ready.status_code, ready.content) == (503, b"not ready\n")
    assert ready["Cache-Control"] == NEVER_CACHED


@pytest.mark.django_db
def test_database_ready_is_false_for_an_unreachable_database_and_true_for_the_test_one(caplog):
    assert health.database_ready() is True
    assert health.database_ready(broken_connection()) is False
    assert "readyz: the database is not ready" in caplog.text


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_not_applied(client):
    assert (client.get("/readyz").status_code, client.get("/readyz").content) == (200, b"ready\n")
    MigrationRecorder.Migration.objects.filter(app="registry").order_by("-name").first().delete()
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"not ready\n")


@pytest.mark.django_db
def test_probes_pass_the_https_redirect_and_the_host_check_that_pages_do_not(client, settings):
    # Production: HTTPS only, one host name; the probe asks http://127.0.0.1:8000/healthz.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["qorgau.example.kz"]
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/kk/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/kk/", HTTP_HOST="qorgau.example.kz").status_code == 301
    # Anything else than a bare GET or HEAD of the probe takes the way of every request.
    assert client.post("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 405
    assert client.get("/healthz?x=1", HTTP_HOST="127.0.0.1:8000").status_code == 400


# --- Static files by WhiteNoise ----------------------------------------------------------------


def test_whitenoise_serves_collected_files_with_the_security_headers(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "qorgau").mkdir()
    (tmp_path / "qorgau" / "probe.css").write_text("body { color: black }\n")
    response = Client().get("/static/qorgau/probe.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"body { color: black }\n"
    assert response["Cache-Control"] == "max-age=60, public"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "Access-Control-Allow-Origin" not in response


def test_a_missing_static_root_is_not_warned_about_on_every_client(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "not-collected"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        middleware = StaticFilesMiddleware(get_response=lambda request: None)
    assert middleware.files == {}


# --- qorgau serve ------------------------------------------------------------------------------


def test_workers_default_to_twice_the_cores_plus_one(monkeypatch):
    assert serve.default_workers(2) == 5
    assert serve.default_workers(1) == 3
    monkeypatch.setattr(serve, "cores", lambda: 4)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    values = serve.gunicorn_settings(None, None, None)
    assert (values["bind"], values["workers"], values["timeout"]) == (["127.0.0.1:8000"], 9, 120)
    assert values["accesslog"] is None


def test_gunicorn_cmd_args_add_settings_and_the_commands_options_win(monkeypatch):
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--workers 2 --threads 4 --bind 0.0.0.0:9000")
    values = serve.gunicorn_settings(None, None, None)
    assert (values["workers"], values["threads"], values["bind"]) == (2, 4, ["0.0.0.0:9000"])
    values = serve.gunicorn_settings("127.0.0.1:8001", 3, None)
    assert (values["workers"], values["threads"], values["bind"]) == (3, 4, ["127.0.0.1:8001"])


def test_serve_check_says_what_would_run_and_starts_nothing(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(serve, "cores", lambda: 2)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    settings.STATIC_ROOT = tmp_path
    out = io.StringIO()
    with mock.patch.object(serve, "run_gunicorn") as run:
        call_command("serve", "--check", "--lang", "en", stdout=out)
    run.assert_not_called()
    assert "qorgau.wsgi:application on 127.0.0.1:8000 with 5 workers" in out.getvalue()
    assert f"to collect into {tmp_path}" in out.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers: str):
    """(status, headers, body) of a GET; an HTTP error status is an answer too."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_serve_collects_the_static_files_and_answers_probes_and_files_on_gunicorn(
    tmp_path, settings
):
    static_root = tmp_path / "static"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "GUNICORN_CMD_ARGS")}  # fmt: skip
    env.update(
        {
            # Production settings behind a TLS proxy, on a database never migrated.
            "DEBUG": "0",
            "SECRET_KEY": "serve-test-key-" + "x" * 40,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "QORGAU_VAR_DIR": str(tmp_path),
            "STATIC_ROOT": str(static_root),
            "ALLOWED_HOSTS": "qorgau.test",
            "BEHIND_TLS_PROXY": "1",
        }
    )
    command = [sys.executable, "-m", "qorgau", "serve", "--lang", "en", "--bind", f"127.0.0.1:{port}", "--workers", "1"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a few seconds unless the machine is very busy
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                live = fetch(f"{base}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "qorgau serve did not answer"
                time.sleep(0.1)
        status, headers, body = live
        assert (status, body) == (200, b"ok\n")
        assert headers["Server"] == "gunicorn"  # no version
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        # Not migrated: not ready, and nothing more said.
        assert fetch(f"{base}/readyz")[::2] == (503, b"not ready\n")
        https = {"Host": "qorgau.test", "X-Forwarded-Proto": "https"}
        status, headers, body = fetch(f"{base}/static/qorgau/qorgau.css", **https)
        assert status == 200
        assert body == (ROOT / "src/qorgau/core/static/qorgau/qorgau.css").read_bytes()
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        status, headers, _ = fetch(f"{base}/static/qorgau/qorgau.css", **https, **{"Accept-Encoding": "gzip"})  # fmt: skip
        assert (status, headers["Content-Encoding"]) == (200, "gzip")
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert "Collecting" in output
    # What it collected is what the finders have: nothing left to collect, until a source is
    # newer than its copy.
    settings.STATIC_ROOT = static_root
    assert uncollected() == []
    os.utime(static_root / "qorgau" / "qorgau.css", (0, 0))
    assert uncollected() == ["qorgau/qorgau.css"]


# --- deploy/ -----------------------------------------------------------------------------------


def test_the_systemd_unit_runs_qorgau_serve_as_its_own_user():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read(ROOT / "deploy" / "qorgau.service")
    service = unit["Service"]
    argv = shlex.split(service["ExecStart"])
    assert Path(argv[0]).name == "qorgau" and argv[1:3] == ["serve", "--bind"]
    assert service["User"] == "qorgau" and service["Type"] == "notify"
    assert shlex.split(service["ExecStartPre"])[1:] == ["migrate", "--noinput"]
    worker = configparser.ConfigParser(strict=False, interpolation=None)
    worker.optionxform = str
    worker.read(ROOT / "deploy" / "qorgau-worker.service")
    assert shlex.split(worker["Service"]["ExecStart"])[1:] == ["db_worker", "--no-reload"]
    hooks = configparser.ConfigParser(strict=False, interpolation=None)
    hooks.optionxform = str
    hooks.read(ROOT / "deploy" / "qorgau-webhook-worker.service")
    assert shlex.split(hooks["Service"]["ExecStart"])[1:] == [
        "db_worker", "--queue-name", "webhooks", "--no-reload",
    ]  # fmt: skip
    for key in ("User", "EnvironmentFile", "Environment"):
        assert hooks["Service"][key] == worker["Service"][key], key


@pytest.mark.parametrize(
    "name, command",
    [
        ("notify", ["notify-overdue"]),
        ("digest", ["send-digest"]),
        ("partitions", ["partitions", "--ahead", "1"]),
        ("releases", ["release", "publish", "--due"]),
        ("webhooks", ["webhook", "scan"]),
        ("idempotency", ["api-client", "purge-idempotency"]),
    ],
)
def test_each_scheduled_job_has_a_timer_and_runs_its_command_as_the_server_does(name, command):
    """deploy/qorgau-<name>.timer starts qorgau-<name>.service, a one-shot run of the command
    with the server's user and environment (docs/operations.md#scheduled-jobs)."""
    from django.core.management import get_commands

    def unit(suffix: str) -> configparser.ConfigParser:
        parsed = configparser.ConfigParser(strict=False, interpolation=None)
        parsed.optionxform = str  # systemd's keys are case-sensitive
        assert parsed.read(ROOT / "deploy" / f"qorgau-{name}.{suffix}")
        return parsed

    service, timer = unit("service")["Service"], unit("timer")["Timer"]
    argv = shlex.split(service["ExecStart"])
    assert Path(argv[0]).name == "qorgau" and argv[1:] == command
    assert command[0] in get_commands()  # a command that exists
    web = configparser.ConfigParser(strict=False, interpolation=None)
    web.optionxform = str
    web.read(ROOT / "deploy" / "qorgau.service")
    for key in ("User", "EnvironmentFile", "Environment"):  # as deploy/qorgau.service
        assert service[key] == web["Service"][key], key
    assert service["Type"] == "oneshot"
    assert timer["OnCalendar"].endswith("Asia/Almaty") and timer["Persistent"] == "true"


def test_the_containerfile_installs_the_system_libraries_and_serves_on_all_addresses():
    text = (ROOT / "deploy" / "Containerfile").read_text()
    base = next(line for line in text.splitlines() if line.startswith("FROM "))
    assert "python:3.12" in base and "bookworm" in base  # Debian 12 with Python 3.12
    for package in ("libpango-1.0-0", "libmagic1", "gettext"):
        assert package in text, package
    assert 'CMD ["qorgau", "serve", "--bind", "0.0.0.0:8000"]' in text
    entrypoint = (ROOT / "deploy" / "entrypoint.sh").read_text()
    assert "qorgau migrate --noinput" in entrypoint and 'exec "$@"' in entrypoint
