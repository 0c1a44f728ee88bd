"""The audit trail: every change and every look at case data, and nobody can rewrite it."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from qorgau.audit.models import AuditEntry
from qorgau.registry import lifecycle

from .conftest import make_user

pytestmark = pytest.mark.django_db


def test_case_view_search_and_export_leave_entries_naming_user_address_and_records(
    client, login, make_case
):
    case = make_case()
    user = make_user("investigator_79", "investigator", "KZ-79")
    login(client, user)
    client.get(f"/registry/cases/{case.number}/", REMOTE_ADDR="10.1.2.3")
    view = AuditEntry.objects.get(action="case.view")
    assert (view.username, view.source, view.object_repr, view.region_code) == (
        "investigator_79", "10.1.2.3", case.number, "KZ-79")  # fmt: skip
    client.get("/registry/cases/", {"article": "115-1"})
    search = AuditEntry.objects.get(action="case.search")
    assert search.details["filters"] == {"article": "115-1"} and search.details["shown"] == [
        case.number
    ]
    client.get("/registry/cases/export.csv")
    export = AuditEntry.objects.get(action="case.export")
    assert export.details["numbers"] == [case.number] and export.details["count"] == 1


def test_changes_record_fields_before_and_after(client, login, make_case):
    case = make_case()
    user = make_user("investigator_kz", "investigator")
    login(client, user)
    client.post(f"/registry/cases/{case.number}/status/", {"to_status": "suspended", "ground": "suspect_hiding"},
                REMOTE_ADDR="10.9.9.9")  # fmt: skip
    update = AuditEntry.objects.filter(action="registry.case.update").latest("id")
    assert update.before["status"] == "investigation" and update.after["status"] == "suspended"
    assert update.after["suspension_ground"] == "suspect_hiding"
    assert update.username == "investigator_kz" and update.source == "10.9.9.9"
    created = AuditEntry.objects.filter(action="registry.statuschange.create").latest("id")
    assert created.after["to_status"] == "suspended"
    assert AuditEntry.objects.filter(
        action="registry.case.create", object_repr=case.number
    ).exists()


def test_command_line_changes_are_attributed_to_the_command(make_case):
    call_command("load-seed", stdout=io.StringIO())
    entry = AuditEntry.objects.filter(action="registry.case.create").first()
    assert entry.source.startswith("cli:") and entry.user is None


def test_trail_cannot_be_changed_or_deleted_through_the_application(make_case):
    make_case()
    entry = AuditEntry.objects.first()
    entry.action = "nothing.happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_auditors_search_and_export_the_trail_within_their_scope(client, login, make_case):
    shymkent, astana = make_case(region="KZ-79"), make_case(region="KZ-71")
    lifecycle.transition(astana, "suspended", ground="suspect_unknown")
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    login(client, prosecutor)
    page = client.get("/audit/", {"action": "registry.case"}).content.decode()
    assert shymkent.number in page and astana.number not in page
    export = client.get("/audit/export.csv", {"action": "registry.case"}).content.decode()
    assert export.splitlines()[0].startswith("at,username,source,action")
    assert shymkent.number in export and astana.number not in export
    assert AuditEntry.objects.filter(action="audit.export", username="prosecutor_79").exists()


@pytest.mark.postgres
def test_update_or_delete_of_the_trail_fails_in_postgresql_itself(make_case, on_postgres):
    make_case()
    for sql in ("UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.exclude(action="x").count() == AuditEntry.objects.count() > 0
