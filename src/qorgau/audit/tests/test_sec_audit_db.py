"""The audit trail survives its own database connection (security review, findings 2 and 10).

- Entries form a hash chain that ``qorgau audit-verify`` walks: an altered, deleted or spliced
  entry is found.
- On PostgreSQL the application's role may only SELECT and INSERT the trail: TRUNCATE, DISABLE
  TRIGGER, ``session_replication_role``, DROP TRIGGER, UPDATE and DELETE are refused to it, and
  the time, position and hashes of an entry come from the database whatever the client sends.
- ``qorgau check --deploy`` errors when the application's role could rewrite the trail.
- The development server does not pile up idle database connections.
"""

import datetime as dt
import io
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from qorgau.audit import chain, log, roles
from qorgau.audit.actions import action
from qorgau.audit.models import AuditEntry
from tests.fixtures import SYSTEM, owner_connection

# Codes these tests write, declared like any app's (``audit.log.write`` refuses undeclared ones).
# Test-only codes: declared for the whole run, so the trail page's action list shows them too;
# their labels avoid the English words the Kazakh browser walk looks for (test_staff_browser.py).
TEST_CHAIN = action("test.chain", "test: chain entry")
TEST_BACKDATED = action("test.backdated", "test: back-dated entry")
TEST_CONCURRENT = action("test.concurrent", "test: concurrent writers' entry")


def verify_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit-verify", *args, "--lang", "en", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_each_entry_stores_the_hash_of_the_one_before(db):
    for n in range(5):
        log.write(SYSTEM, TEST_CHAIN, details={"n": n, "text": "қорғау ӘҒҚҢ"})
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 5))
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert len({e.hash for e in entries}) == 5
    code, out, _err = verify_command()
    assert code == 0 and "unbroken" in out


def test_the_entry_time_is_the_databases_not_the_callers(db):
    """A caller that sets ``at`` itself (a forger back-dating an entry) is overruled."""
    entry = AuditEntry(action="test.backdated", at=timezone.make_aware(dt.datetime(2000, 1, 1)))
    if chain.database_sets_chain():
        entry.save()
    else:
        log.write(
            SYSTEM, TEST_BACKDATED
        )  # SQLite: the log is the only writer, and it seals the time
        entry = AuditEntry.objects.get(action="test.backdated")
    entry.refresh_from_db()
    assert abs(entry.at - timezone.now()) < dt.timedelta(minutes=1)
    assert chain.verify().ok


# Transactional (the owner's connection sees only committed entries); the reference data that
# the migrations loaded is put back after each, as the other transactional tests expect.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def tamper():
    """Run SQL against the committed trail as someone who can bypass the application: the
    owner role (or a superuser). On SQLite nothing stops raw SQL in the first place."""

    def run(*statements):
        if connection.vendor == "postgresql":
            with owner_connection() as owner, owner.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
                try:
                    for sql in statements:
                        cursor.execute(sql)
                finally:
                    cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
        else:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    return run


def _three_entries():
    for n in range(3):
        log.write(SYSTEM, TEST_CHAIN, details={"n": n})
    return list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))


@COMMITTED
def test_audit_verify_detects_an_altered_entry(tamper):
    seqs = _three_entries()
    tamper(f"UPDATE audit_auditentry SET username = 'someone else' WHERE seq = {seqs[1]}")  # noqa: S608
    code, _out, err = verify_command()
    assert code == 1 and f"entry {seqs[1]} " in err and "altered" in err


@COMMITTED
def test_audit_verify_detects_a_deleted_entry(tamper):
    seqs = _three_entries()
    tamper(f"DELETE FROM audit_auditentry WHERE seq = {seqs[1]}")  # noqa: S608
    code, _out, err = verify_command()
    assert code == 1 and "missing" in err and "does not link" in err


@COMMITTED
def test_audit_verify_detects_a_deleted_first_entry_and_a_lost_anchor(tamper):
    seqs = _three_entries()
    head = chain.verify()
    tamper(f"DELETE FROM audit_auditentry WHERE seq IN ({seqs[0]}, {seqs[-1]})")  # noqa: S608
    code, _out, err = verify_command()
    assert code == 1 and "missing" in err
    code, _out, err = verify_command("--anchor", f"{head.head_seq}:{head.head_hash}")
    assert code == 1 and "recorded" in err  # the old head is gone or another entry took its place


# --- PostgreSQL: the application's role ----------------------------------------------------
REFUSED = [
    "TRUNCATE audit_auditentry",
    "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only",
    "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "DROP TRIGGER audit_auditentry_chain ON audit_auditentry",
    "UPDATE audit_auditentry SET action = 'x'",
    "DELETE FROM audit_auditentry",
    "ALTER TABLE audit_auditentry OWNER TO CURRENT_USER",
    "DROP TABLE audit_auditentry",
]


@pytest.mark.postgres
@pytest.mark.parametrize("sql", REFUSED)
def test_the_application_role_cannot_wipe_or_rewrite_the_trail(make_case, as_application_role, sql):
    make_case()
    count = AuditEntry.objects.count()
    assert count > 0
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.count() == count
    assert chain.verify().ok


@pytest.mark.postgres
def test_a_forged_insert_gets_the_databases_time_and_place_in_the_chain(
    make_case, as_application_role
):
    make_case()
    last = AuditEntry.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, username, source, action, object_type, object_id,"
            " object_repr, region_code, seq, prev_hash, hash) VALUES ('2000-01-01', 'forger', '',"
            " 'forged', '', '', '', '', 1, 'made up', 'made up') RETURNING at, seq, prev_hash, hash"
        )
        at, seq, prev_hash, digest = cursor.fetchone()
    assert abs(at - timezone.now()) < dt.timedelta(minutes=1)
    assert (seq, prev_hash) == (last.seq + 1, last.hash) and digest != "made up"
    assert chain.verify().ok


@pytest.mark.postgres
def test_a_temporary_table_cannot_shadow_the_trail(as_application_role):
    """The application may not create temporary tables; and a session that may (the owner's,
    a new one, so that no plan of the trigger is cached) still gets the real trail's position and
    previous hash from the chain trigger, whose search path is fixed (migration 0005)."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE audit_auditentry (seq bigint, hash text)")
    with (
        owner_connection() as owner,
        owner.transaction(force_rollback=True),
        owner.cursor() as cursor,
    ):
        cursor.execute("SELECT seq, hash FROM public.audit_auditentry ORDER BY seq DESC LIMIT 1")
        last_seq, last_hash = cursor.fetchone() or (0, "")
        cursor.execute("CREATE TEMP TABLE audit_auditentry (seq bigint, hash text)")
        cursor.execute("INSERT INTO audit_auditentry VALUES (999999, 'chosen by the session')")
        cursor.execute(
            "INSERT INTO public.audit_auditentry (username, source, action, object_type,"
            " object_id, object_repr, region_code) VALUES ('', '', 'test.shadowed', '', '', '', '')"
            " RETURNING seq, prev_hash"
        )
        assert cursor.fetchone() == (last_seq + 1, last_hash)


@pytest.mark.postgres
def test_the_deploy_check_accepts_only_the_restricted_role(db, as_application_role):
    assert roles.problems() == []
    # The same check over a connection that can bypass it (the owner, or a superuser).
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute(roles._ROLE_QUERY)
        _name, superuser, _bypass, owns, *_rest = cursor.fetchone()
    assert superuser or owns


@pytest.mark.postgres
def test_check_deploy_errors_for_a_superuser_connection(tmp_path):
    """``qorgau check --deploy`` as a process, connected as the PostgreSQL superuser as the
    README once documented: it fails and says why."""
    settings = connection.settings_dict
    url = (
        f"postgres://postgres@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
        f"{settings['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "k" * 60,
        "QORGAU_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_OWNER_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "qorgau", "check", "--deploy"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "qorgau.E001" in result.stderr and "«postgres»" in result.stderr  # in Kazakh


@pytest.mark.postgres
@COMMITTED
def test_concurrent_writers_keep_one_unbroken_chain(on_postgres):
    errors = []

    def write(n):
        try:
            for i in range(20):
                with transaction.atomic():
                    log.write(SYSTEM, TEST_CONCURRENT, details={"writer": n, "i": i})
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = chain.verify()
    assert result.ok and result.entries == AuditEntry.objects.count() >= 160
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


# --- Finding 10: connections -----------------------------------------------------------------
def test_no_connection_outlives_its_request_by_default(monkeypatch, tmp_path):
    """Production settings keep no connection between requests unless told (runserver's
    threads would each leave one behind)."""
    env = {"SECRET_KEY": "k" * 60, "QORGAU_VAR_DIR": str(tmp_path)}
    code = (
        "from django.conf import settings; import django; django.setup();"
        "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "qorgau.settings"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert run.stdout.split() == ["0", "True"]


@pytest.mark.postgres
def test_the_development_server_leaves_no_idle_connections(db, on_postgres, tmp_path):
    settings = connection.settings_dict
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "QORGAU_VAR_DIR": str(tmp_path)}
    env.pop("DB_CONN_MAX_AGE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "qorgau", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/kk/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        for n in range(60):  # each a new address: past the public page's cache, to the database
            urllib.request.urlopen(f"http://127.0.0.1:{port}/kk/?n={n}", timeout=10).read()
        time.sleep(0.5)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [settings["NAME"]],
            )
            others = cursor.fetchone()[0]
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert others <= 1, f"{others} connections left open by 60 requests"


def test_search_words_that_identify_someone_are_not_kept_in_the_trail(client, login, admin_user):
    """An IIN, a phone number or an e-mail typed into a search box is not copied into the
    trail (the free-text fields already refuse them)."""
    login(client, admin_user)
    client.get("/admin/registry/case/", {"q": "870512300151 +7 701 123 45 67"})
    client.get("/registry/cases/", {"number": "someone@example.kz"})
    text = " ".join(
        str(details) for details in AuditEntry.objects.values_list("details", flat=True)
    )
    assert "[redacted]" in text
    for typed in ("870512300151", "701 123 45 67", "someone@example.kz"):
        assert typed not in text
