"""The audit trail partitioned by year on PostgreSQL (migration 0006, ``qorgau partitions``;
docs/scaling.md): every entry in its local year's partition whatever the caller sends, each
partition as closed to the application as the trail, next years' partitions created once."""

import datetime as dt
import io
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from qorgau.audit import chain, checks, log, partitions, roles
from qorgau.audit.actions import action
from qorgau.audit.models import AuditEntry
from qorgau.core.errors import Invalid
from tests.fixtures import RESTRICTED, SYSTEM, owner_connection


@pytest.fixture(autouse=True)
def _english():
    """The messages asserted below are read in English (the interface's default is Kazakh)."""
    with translation.override("en"):
        yield


TEST_PARTITION = action("test.partition", "test: partitioned entry")
# Committed, so that the owner's connection (the command's, in the restricted mode) sees it.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _partition_of(entry: AuditEntry) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, at_year FROM audit_auditentry WHERE id = %s",
            [entry.pk],
        )
        name, year = cursor.fetchone()
    assert year == timezone.localtime(entry.at).year
    return name


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_trail_is_partitioned_by_local_year_from_2015_to_next_year():
    this_year = timezone.localdate().year
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor)
        assert set(range(2015, this_year + 2)) <= set(partitions.years(cursor))
        cursor.execute("SELECT to_regclass('audit_auditentry_default') IS NOT NULL")
        assert cursor.fetchone()[0]
    log.write(SYSTEM, TEST_PARTITION)
    entry = AuditEntry.objects.get(action="test.partition")
    assert _partition_of(entry) == f"audit_auditentry_y{this_year}"
    assert chain.verify().ok


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_back_dated_entry_lands_in_this_years_partition():
    """The database's time overrules the caller's, partitions or not (the key is set with it)."""
    entry = AuditEntry(action="test.partition", at=timezone.make_aware(dt.datetime(2016, 5, 1)))
    entry.save()
    entry.refresh_from_db()
    assert abs(entry.at - timezone.now()) < dt.timedelta(minutes=1)
    assert _partition_of(entry) == f"audit_auditentry_y{timezone.localdate().year}"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE {p}",
        "UPDATE {p} SET action = 'x'",
        "DELETE FROM {p}",
        "INSERT INTO {p} (username, source, action, object_type, object_id, object_repr,"
        " region_code) VALUES ('', '', 'x', '', '', '', '')",
        "SELECT count(*) FROM {p}",
        "ALTER TABLE {p} DISABLE TRIGGER ALL",
        "ALTER TABLE audit_auditentry DETACH PARTITION {p}",
        "DROP TABLE {p}",
    ],
)
def test_the_application_role_cannot_touch_a_partition(make_case, as_application_role, sql):
    """The application reaches the trail through the table only; a partition, which PostgreSQL
    lets one empty or change on its own, is refused to it."""
    make_case()
    count = AuditEntry.objects.count()
    partition = f"audit_auditentry_y{timezone.localdate().year}"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(p=partition))
    assert AuditEntry.objects.count() == count


@pytest.mark.postgres
@pytest.mark.django_db
def test_each_partition_refuses_truncate_to_all_but_the_owner(as_application_role):
    """The statement trigger of migration 0004 is on every partition too (PostgreSQL does not
    copy statement triggers to partitions)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_inherits i WHERE i.inhparent = 'audit_auditentry'::regclass"
            " AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = i.inhrelid"
            " AND t.tgname = 'audit_auditentry_no_truncate')"
        )
        assert cursor.fetchone()[0] == 0


@pytest.fixture
def owner_of_the_test_database(settings):
    """In the restricted mode of `.ci/run`: DATABASE_OWNER_URL naming the test database (the
    command, like `qorgau migrate`, logs in as the owner only to the database it serves)."""
    if settings.DATABASE_OWNER_URL:
        url = urlsplit(settings.DATABASE_OWNER_URL)
        test_database = "/" + connection.settings_dict["NAME"]
        settings.DATABASE_OWNER_URL = urlunsplit(url._replace(path=test_database))


@pytest.mark.postgres
@COMMITTED
@pytest.mark.usefixtures("owner_of_the_test_database")
def test_the_command_creates_the_years_ahead_once():
    this_year = timezone.localdate().year
    out = io.StringIO()
    call_command("partitions", "--ahead", "3", "--lang", "en", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == [
        f"audit_auditentry_y{this_year}: already there",
        f"audit_auditentry_y{this_year + 1}: already there",
    ]
    assert lines[2:] == [
        f"audit_auditentry_y{this_year + 2}: created",
        f"audit_auditentry_y{this_year + 3}: created",
    ]
    again = io.StringIO()
    call_command("partitions", "--ahead", "3", "--lang", "en", stdout=again)
    assert "created" not in again.getvalue()
    with connection.cursor() as cursor:
        assert {this_year + 2, this_year + 3} <= set(partitions.years(cursor))
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass"
            " AND tgname IN ('audit_auditentry_no_truncate', 'audit_auditentry_append_only',"
            " 'audit_auditentry_chain')",
            [f"audit_auditentry_y{this_year + 3}"],
        )
        assert cursor.fetchone()[0] == 3


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_year_whose_entries_went_to_the_default_partition_is_refused():
    """Entries of a year without a partition stay in the DEFAULT one (moving them would delete
    from the trail): that year's partition can then not be created, and the reason is given."""
    year = timezone.localdate().year + 5
    with owner_connection() as owner, owner.cursor() as cursor:
        with pytest.raises(Invalid, match=f"Entries of {year}"), owner.transaction():
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_chain")
            cursor.execute(
                "INSERT INTO audit_auditentry (username, source, action, object_type, object_id,"
                " object_repr, region_code, at_year) VALUES ('', '', 'x', '', '', '', '', %s)",
                [year],
            )
            partitions.add_year(cursor, year)
        # Rolled back: nothing of it stays.
        cursor.execute("SELECT count(*) FROM audit_auditentry_default")
        assert cursor.fetchone()[0] == 0
        with pytest.raises(psycopg.errors.UndefinedTable):
            cursor.execute(f"SELECT 1 FROM audit_auditentry_y{year}")  # noqa: S608


def test_the_command_refuses_to_look_too_far_ahead():
    with pytest.raises(CommandError, match="between 0 and 10"):
        call_command("partitions", "--ahead", "11", "--lang", "en")


@pytest.mark.django_db
def test_on_sqlite_the_command_has_nothing_to_do(monkeypatch):
    """SQLite's answer, asserted on every database: on PostgreSQL the connection is made to
    say it is SQLite, and the command must then neither create nor look for a partition."""
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(partitions, "is_partitioned", lambda cursor: pytest.fail("looked"))
    out = io.StringIO()
    call_command("partitions", "--lang", "en", stdout=out)
    assert out.getvalue().strip() == (
        "The audit trail is partitioned on PostgreSQL only: nothing to do."
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_deploy_check_warns_when_next_years_partition_is_missing(time_machine):
    assert checks.trail_partitions_ready(None) == []
    with connection.cursor() as cursor:
        last = max(partitions.years(cursor))
    time_machine.move_to(timezone.make_aware(dt.datetime(last, 6, 1)), tick=False)
    found = checks.trail_partitions_ready(None)
    assert [w.id for w in found] == ["qorgau.W003"]
    assert str(last + 1) in found[0].msg


@pytest.mark.postgres
@COMMITTED
def test_the_deploy_check_warns_when_entries_went_to_the_default_partition():
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_chain")
        try:
            cursor.execute(
                "INSERT INTO audit_auditentry (username, source, action, object_type, object_id,"
                " object_repr, region_code, at_year) VALUES ('', '', 'x', '', '', '', '', 2014)"
            )
        finally:
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_chain")
    assert [w.id for w in checks.trail_partitions_ready(None)] == ["qorgau.W004"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_deploy_check_names_rights_on_a_partition(make_case, as_application_role):
    """`qorgau check --deploy` (audit.roles.problems): the application role holds nothing on
    the partitions; a right given there by hand is reported."""
    assert roles.problems() == []
    partition = f"audit_auditentry_y{timezone.localdate().year}"
    grant = f"GRANT UPDATE ON {partition} TO {as_application_role}"
    if RESTRICTED:
        with owner_connection() as owner, owner.cursor() as cursor:
            cursor.execute(grant)
        try:
            found = roles.problems()
        finally:
            with owner_connection() as owner, owner.cursor() as cursor:
                cursor.execute(f"REVOKE UPDATE ON {partition} FROM {as_application_role}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(grant)
            cursor.execute(f"SET LOCAL ROLE {as_application_role}")
        found = roles.problems()
    assert any("partitions" in problem for problem in found), found
