"""The audit trail: every change and every look at case data, and nobody can rewrite it."""

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client as client_class

from qorgau.audit.models import AuditEntry
from qorgau.reference.models import Body
from qorgau.registry import lifecycle, services
from qorgau.registry.models import Case, Report
from tests.fixtures import SYSTEM, local, make_user

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
    # One status change, one entry: the case's fields before and after, by whom, from where.
    update = AuditEntry.objects.get(action="case.status.change")
    assert update.before["status"] == "investigation" and update.after["status"] == "suspended"
    assert update.after["suspension_ground"] == "suspect_hiding"
    assert update.username == "investigator_kz" and update.source == "10.9.9.9"
    assert update.object_repr == case.number
    assert update.details["status_change"] == case.status_changes.latest("id").pk
    assert AuditEntry.objects.filter(action="case.register", object_repr=case.number).exists()


def test_command_line_changes_are_attributed_to_the_command(make_case):
    call_command("load-seed", stdout=io.StringIO())
    entry = AuditEntry.objects.filter(action="case.register").first()
    assert entry.source.startswith("cli:") and entry.user is None
    assert entry.username == "system:load-seed"


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
    lifecycle.transition(SYSTEM, astana, "suspended", ground="suspect_unknown")
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    login(client, prosecutor)
    page = client.get("/audit/", {"action": "case."}).content.decode()
    assert shymkent.number in page and astana.number not in page
    export = client.get("/audit/export.csv", {"action": "case."}).content.decode()
    assert export.splitlines()[0].startswith("at,username,source,action")
    assert shymkent.number in export and astana.number not in export
    assert AuditEntry.objects.filter(action="audit.export", username="prosecutor_79").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_update_or_delete_of_the_trail_fails_in_postgresql_itself(make_case, on_postgres):
    """The triggers refuse even a role that holds the rights (the owner; a superuser)."""
    import psycopg

    from tests.fixtures import owner_connection

    make_case()
    for sql in ("UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"):
        with (
            pytest.raises(psycopg.Error, match="append-only"),
            owner_connection() as owner,
            owner.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.exclude(action="x").count() == AuditEntry.objects.count() > 0


class _FormValues(HTMLParser):
    """The values a browser would submit from a page's forms (enough for the admin's forms)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def admin_form(client, url: str) -> dict:
    values = _FormValues()
    values.feed(client.get(url).content.decode())
    return {k: v if len(v) != 1 else v[0] for k, v in values.data.items()}


@pytest.fixture
def admin_client(client, login):
    admin = make_user("admin_kz", "administrator", is_staff=True, is_superuser=True)
    return login(client, admin)


def test_opening_a_case_or_report_in_the_admin_is_audited(admin_client, make_case, shymkent):
    report = services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel="call_102", receiving_body=Body.objects.filter(region=shymkent).first(), summary="…")  # fmt: skip
    case = make_case(reports=[report])
    change = lifecycle.transition(SYSTEM, case, "suspended", ground="suspect_unknown")
    page = f"/admin/registry/case/{case.pk}/change/"
    assert admin_client.get(page, REMOTE_ADDR="10.7.7.7").status_code == 200
    view = AuditEntry.objects.get(action="case.view")
    assert (view.username, view.source, view.object_repr, view.region_code, view.details) == (
        "admin_kz", "10.7.7.7", case.number, "KZ-79", {"via": "admin"})  # fmt: skip
    assert admin_client.get(f"/admin/registry/report/{report.pk}/change/").status_code == 200
    seen = AuditEntry.objects.get(action="report.view")
    assert (seen.object_id, seen.region_code) == (str(report.pk), "KZ-79")
    # A history row is a look at its case.
    admin_client.get(f"/admin/registry/statuschange/{change.pk}/change/")
    history = AuditEntry.objects.filter(action="case.view").latest("id")
    assert history.object_repr == case.number and history.details["statuschange"] == change.pk
    # A page that shows nothing leaves no "view".
    assert admin_client.get("/admin/registry/case/999999/change/").status_code == 302
    assert AuditEntry.objects.filter(action="case.view").count() == 2


def test_the_admin_case_list_is_an_audited_search(admin_client, make_case, shymkent):
    own, other = make_case(region="KZ-79"), make_case(region="KZ-71")
    assert admin_client.get("/admin/registry/case/", {"q": own.number}).status_code == 200
    search = AuditEntry.objects.get(action="case.search")
    assert search.username == "admin_kz" and search.details["via"] == "admin"
    assert search.details["filters"] == {"q": own.number} and search.details["shown"] == [
        own.number
    ]
    assert search.details["results"] == 1 and search.region_code == ""
    # Narrowed to one region, the search belongs to that region's trail.
    admin_client.get("/admin/registry/case/", {"region__id__exact": shymkent.pk})
    narrowed = AuditEntry.objects.filter(action="case.search").latest("id")
    assert narrowed.region_code == "KZ-79" and narrowed.details["shown"] == [own.number]
    assert other.number not in narrowed.details["shown"]
    admin_client.get("/admin/registry/report/")
    assert AuditEntry.objects.filter(action="report.search", username="admin_kz").exists()


def test_the_admin_refuses_to_delete_a_case_its_history_or_a_report_of_a_case(
    admin_client, make_case, shymkent
):
    def new_report():
        return services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel="call_102", receiving_body=Body.objects.filter(region=shymkent).first(), summary="…")  # fmt: skip

    linked, loose = new_report(), new_report()
    case = make_case(reports=[linked])
    lifecycle.transition(SYSTEM, case, "suspended", ground="suspect_unknown")
    history = {
        "qualification": case.qualifications.get(),
        "statuschange": case.status_changes.latest("id"),
    }
    services.extend_term(SYSTEM, case, case.term_ends_on + dt.timedelta(days=10), authorised_by="prosecutor", reason="expertise")  # fmt: skip
    history["termextension"] = case.extensions.get()
    for model, obj in [("case", case), *history.items(), ("report", linked)]:
        url = f"/admin/registry/{model}/{obj.pk}/delete/"
        assert admin_client.get(url).status_code == 403, model
        assert admin_client.post(url, {"post": "yes"}).status_code == 403, model
    # Nor in bulk from the list.
    for model, obj in [("case", case), ("report", linked)]:
        admin_client.post(f"/admin/registry/{model}/", {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})  # fmt: skip
    assert Case.objects.filter(pk=case.pk).exists() and Report.objects.filter(pk=linked.pk).exists()
    assert case.qualifications.count() == 1 and case.status_changes.count() == 2
    assert case.extensions.count() == 1
    assert not AuditEntry.objects.filter(action__endswith=".delete").exists()
    # A report no case came from (entered by mistake) may go, and the trail keeps it.
    response = admin_client.post(f"/admin/registry/report/{loose.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Report.objects.filter(pk=loose.pk).exists()
    deleted = AuditEntry.objects.get(action="report.admin.delete")
    assert deleted.before["id"] == loose.pk and deleted.username == "admin_kz"


def test_changes_made_in_the_admin_are_logged_with_before_and_after(
    admin_client, make_case, shymkent
):
    report = services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel="call_102", receiving_body=Body.objects.filter(region=shymkent).first(), summary="first words")  # fmt: skip
    url = f"/admin/registry/report/{report.pk}/change/"
    data = admin_form(admin_client, url)
    assert data["summary"].strip() == "first words"
    data["summary"] = "corrected words"
    response = admin_client.post(url, data, REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 302, response.content.decode()[:2000]
    update = AuditEntry.objects.get(action="report.admin.change")
    # The summary is sensitive free text: the trail names it, never copies it (privacy.REDACTED).
    assert (update.before, update.after) == (
        {"summary": "[redacted]"},
        {"summary": "[redacted]"},
    )
    assert (update.username, update.source, update.region_code) == ("admin_kz", "10.5.5.5", "KZ-79")

    case = make_case()
    assert case.investigating_body_id is not None
    url = f"/admin/registry/case/{case.pk}/change/"
    data = admin_form(admin_client, url)
    assert data["investigating_body"] == str(case.investigating_body_id)
    data["investigating_body"] = ""  # not yet assigned to a body
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    update = AuditEntry.objects.get(action="case.admin.change")
    assert update.before == {"investigating_body_id": case.investigating_body_id}
    assert update.after == {"investigating_body_id": None}
    assert update.object_repr == case.number and update.username == "admin_kz"


def test_a_regional_prosecutor_sees_the_searches_and_exports_of_their_region(
    client, login, make_case
):
    make_case(region="KZ-79"), make_case(region="KZ-71")
    users = {
        "registrar_79": make_user("registrar_79", "registrar", "KZ-79"),
        "registrar_71": make_user("registrar_71", "registrar", "KZ-71"),
        "prosecutor_kz": make_user("prosecutor_kz", "prosecutor"),
    }
    for user in users.values():
        other = client_class()
        login(other, user)
        other.get("/registry/cases/", {"article": "115-1"})
        other.get("/registry/cases/export.csv")
    # The national prosecutor narrows a search to Shymkent: that look is Shymkent's business.
    national = client_class()
    login(national, users["prosecutor_kz"])
    national.get("/registry/cases/", {"region": "KZ-79"})
    call_command("export-cases", "--as-user", "registrar_79", stdout=io.StringIO())

    login(client, make_user("prosecutor_79", "prosecutor", "KZ-79"))
    export = client.get("/audit/export.csv", {"action": "case."}).content.decode()
    # The registrations the test set up are case entries too; this test is about the looks.
    rows = [r for r in csv.DictReader(io.StringIO(export)) if r["action"] != "case.register"]
    seen = sorted((r["username"], r["action"], json.loads(r["details"])["filters"].get("region", "") if r["action"] == "case.search" else "") for r in rows)  # fmt: skip
    assert seen == [
        ("prosecutor_kz", "case.search", "KZ-79"),
        ("registrar_79", "case.export", ""),
        ("registrar_79", "case.export", ""),  # the page and the command
        ("registrar_79", "case.search", ""),
    ]
    assert {r["region_code"] for r in rows} == {"KZ-79"}
    # The national prosecutor's unfiltered search and export stay national.
    national_entries = AuditEntry.objects.filter(username="prosecutor_kz", region_code="")
    assert sorted(national_entries.values_list("action", flat=True)) == [
        "case.export",
        "case.search",
    ]


@pytest.mark.postgres
def test_truncate_of_the_trail_fails_in_postgresql_for_the_application_role(
    make_case, as_application_role
):
    make_case()
    count = AuditEntry.objects.count()
    assert count > 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass"
            " AND NOT tgisinternal ORDER BY tgname"
        )
        assert [name for (name,) in cursor.fetchall()] == [
            "audit_auditentry_append_only",
            "audit_auditentry_chain",
            "audit_auditentry_no_truncate",
        ]
    # The application's role (audit/tests/test_sec_audit_db.py tries every other way to wipe it).
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == count


def test_the_admin_shows_the_trail_and_history_rows_read_only(make_case):
    """Records only the services write: the admin offers no add, change or delete for them."""
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    from qorgau.registry.models import CaseNumberSequence, StatusChange

    make_case()
    request = RequestFactory().get("/admin/")
    request.user = make_user("admin_ro", "administrator", is_staff=True, is_superuser=True)
    for model in (AuditEntry, StatusChange, CaseNumberSequence):
        model_admin = django_admin.site._registry[model]
        obj = model.objects.first()
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, obj)
        assert not model_admin.has_delete_permission(request, obj)


def test_a_party_changed_on_its_case_page_in_the_admin_is_one_party_entry(admin_client, make_case):
    case = make_case(parties=[services.PartyData(role="victim", sex="F", age_band="18-24")])
    party = case.parties.get()
    url = f"/admin/registry/case/{case.pk}/change/"
    data = admin_form(admin_client, url)
    prefix = next(k for k in data if k.endswith("-0-sex")).removesuffix("-0-sex")
    data[f"{prefix}-0-sex"] = "M"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="party.admin.change")
    assert (entry.before, entry.after) == ({"sex": "F"}, {"sex": "M"})
    assert (entry.object_id, entry.username) == (str(party.pk), "admin_kz")
    assert not AuditEntry.objects.filter(
        action="case.admin.change"
    ).exists()  # the case is as it was
