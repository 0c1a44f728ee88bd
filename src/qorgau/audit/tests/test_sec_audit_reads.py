"""Every read of case, report, party, audit or user data leaves an audit entry naming what was
shown, and every refusal leaves one too (finding 13).

The URL enumeration and the expected answers come from ``test_access`` (its ``TABLE``): here each
URL is also classified as a read that must be audited or as exempt, with a reason. A new page in
neither list fails ``test_every_url_is_classified``; a new admin page kind fails the admin test.
"""

import pytest
from django.test import Client as client_class
from django.urls import reverse

from qorgau.access.tests.test_access import OK, PUBLIC, TABLE, all_patterns, url_for, world  # noqa: F401
from qorgau.audit.models import AuditEntry
from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db

# url name -> (action of the one entry the request must leave, what names the records shown:
# "case" / "report" / "evidence" — the URL's record is the entry's object; any other word — the
# key in ``details`` that lists the records or counts them).
READS = {
    "home": ("worklist.view", "shown"),  # the worklist names reports and cases
    "registry:case_list": ("case.search", "shown"),
    "registry:case_export": ("case.export", "numbers"),
    "registry:case_detail": ("case.view", "case"),
    "registry:case_card": ("case.card.print", "case"),  # the printed card (PDF)
    "registry:case_status": ("case.view", "case"),  # a refused change shows the case again
    "registry:case_party": ("case.view", "case"),
    "registry:case_requalify": ("case.view", "case"),
    "registry:case_extend": ("case.view", "case"),
    "registry:report_list": ("report.search", "shown"),
    "registry:search": ("case.search", "shown"),
    "registry:report_detail": ("report.view", "report"),
    "registry:report_register": ("report.view", "report"),
    "oversight:control": ("oversight.view", "shown"),
    "oversight:export": ("oversight.export", "listed"),
    "oversight:notifications": ("notification.search", "shown"),
    "oversight:control_new": ("case.view", "case"),
    "audit:list": ("audit.search", "shown"),
    "audit:export": ("audit.export", "count"),
    "stats:dashboard": ("stats.view", "filters"),
    "stats:export": ("stats.export", "table"),
    "stats:un_cts": ("stats.export", "table"),
    "campaigns:evidence_file": ("evidence.download", "evidence"),
    "letters:version": ("reply.download", "version"),
}
_CAMPAIGN = "campaign plans, activities and organisations: no person, no case"
_TRAINING = "staff trained and headcounts per body and region: no person, no case"
_LETTERS = "replies to deputies drafted from national aggregate figures: no person, no case"
_PUBLIC = "public page for victims and visitors: published aggregates only"
EXEMPT = {
    "registry:case_new": "an empty form",
    "registry:report_new": "an empty form",
    "registry:case_import": "an empty form",
    "registry:case_import_job": "the uploader's own file: its progress, count imported or the "
    "errors in its rows; no record of the registry",
    "registry:case_import_status": "the progress of the uploader's own file (counts)",
    "oversight:notification_read": "an action on the user's own notice (another's is a 404): "
    "the service audits it",
    "oversight:control_result": "an action: refused without a result it shows no record; the "
    "result itself is audited by the service",
    "login": "authentication",
    "logout": "authentication",
    "otp": "authentication (the one-time password; enrolment is audited by its service)",
    "set_language": "the language switch",
    "healthz": "a probe for the server's supervisor: 'ok', no record and no query",
    "readyz": "a probe for the server's supervisor: 'ready' or 'not ready', no record",
    # Named one by one, not by namespace: a new page there must be classified too.
    "campaigns:progress": _CAMPAIGN,
    "campaigns:plan": _CAMPAIGN,
    "campaigns:plan_export": _CAMPAIGN,
    "campaigns:import": _CAMPAIGN,
    "campaigns:template": _CAMPAIGN,
    "campaigns:progress_export": _CAMPAIGN,
    "campaigns:activity": _CAMPAIGN,
    "campaigns:activity_update": _CAMPAIGN,
    "campaigns:evidence_add": _CAMPAIGN,
    "training:page": _TRAINING,
    "training:export": _TRAINING,
    "training:session_new": _TRAINING,
    "training:headcount_new": _TRAINING,
    "letters:list": _LETTERS,
    "letters:detail": _LETTERS,
    "letters:inquiry_new": _LETTERS,
    "letters:inquiry_edit": _LETTERS,
    "letters:inquiry_status": _LETTERS,
    "letters:generate": _LETTERS,
    "letters:draft": _LETTERS,
    "portal:home": _PUBLIC,
    "portal:help": _PUBLIC,
    "portal:self_check": _PUBLIC,
    "portal:statistics": _PUBLIC,
    "portal:statistics_csv": _PUBLIC,
    "portal:releases": _PUBLIC,
    "portal:release": _PUBLIC,
    "portal:release_csv": _PUBLIC,
    "portal:page": _PUBLIC,
}


def _new_entries(since: int):
    return list(AuditEntry.objects.filter(pk__gt=since).order_by("pk"))


def _last_id() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def national_admin(client, login, world):  # noqa: F811
    user = make_user("administrator_reads", "administrator", is_staff=True, is_superuser=True)
    return login(client, user)


def test_every_page_that_shows_records_leaves_one_entry_naming_them(national_admin, world):  # noqa: F811
    # The API's reads are checked by api/tests/test_api_access.py.
    names = {
        name for route, name, _cb in all_patterns() if not route.startswith(("admin/", "api/"))
    }
    assert names == set(READS) | set(EXEMPT), "classify the new page: READS or EXEMPT (reason)"
    assert not set(READS) & set(EXEMPT) and all(EXEMPT.values())
    client, own = national_admin, world["KZ-79"]
    numbers = [objects["case"].number for objects in world.values()]
    for name, (method, _roles, kind) in TABLE.items():
        since = _last_id()
        response = getattr(client, method)(url_for(name, kind, own))
        assert response.status_code < 500, name
        entries = _new_entries(since)
        if name in EXEMPT:
            body = b"".join(response) if response.streaming else response.content
            # The reason given must hold: no case of the registry on the page.
            assert not any(n.encode() in body for n in numbers), (name, "shows a case")
            continue
        action, names = READS[name]
        assert [e.action for e in entries] == [action], (name, [e.action for e in entries])
        entry = entries[0]
        assert entry.username == "administrator_reads"
        if names in ("case", "report", "evidence"):
            obj = own["case" if kind == "case-query" else names]
            assert (entry.object_type, entry.object_id) == (
                obj._meta.label_lower,
                str(obj.pk),
            ), name
        else:
            assert names in (entry.details or {}), (name, entry.details)


def test_lists_record_the_ids_they_showed(national_admin, world):  # noqa: F811
    client = national_admin
    client.get(reverse("registry:report_list"))
    entry = AuditEntry.objects.get(action="report.search")
    assert sorted(entry.details["shown"]) == sorted(o["report"].pk for o in world.values())
    assert entry.details["results"] == 2 and entry.details["filters"] == {}
    client.get(reverse("registry:report_list"), {"decision": "registered"})
    narrowed = AuditEntry.objects.filter(action="report.search").latest("pk")
    assert narrowed.details["shown"] == [] and narrowed.details["filters"] == {
        "decision": "registered"
    }
    client.get(reverse("audit:list"))
    search = AuditEntry.objects.get(action="audit.search")
    shown = AuditEntry.objects.filter(pk__lt=search.pk).order_by("-at", "-id")[:100]
    assert search.details["shown"] == [e.pk for e in shown]


def test_evidence_download_is_audited_in_its_region(national_admin, world):  # noqa: F811
    evidence = world["KZ-79"]["evidence"]
    response = national_admin.get(reverse("campaigns:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="evidence.download")
    assert (entry.object_id, entry.region_code) == (str(evidence.pk), "KZ-79")
    assert entry.details == {"activity": evidence.activity_id}


def test_regional_registrar_probing_another_regions_case_leaves_a_trace(client, login, world):  # noqa: F811
    astana = world["KZ-71"]["case"]
    # Not logged in: sent to the login page, no refusal to record (no one to name).
    assert client.get(f"/registry/cases/{astana.number}/").status_code == 302
    assert not AuditEntry.objects.filter(action="access.denied").exists()
    registrar = make_user("registrar_probe", "registrar", "KZ-79")
    login(client, registrar)
    assert client.get(f"/registry/cases/{astana.number}/").status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.username == "registrar_probe"
    assert denied.details == {
        "status": 404,
        "asked": "case.view",
        "method": "GET",
        "path": f"/registry/cases/{astana.number}/",
        "ref": {"number": astana.number},
    }
    # The reference asked for, never the record: no object, the prober's region (so that their
    # own region's prosecutor sees it), nothing that tells whether the case exists.
    assert (denied.object_type, denied.object_id, denied.object_repr) == ("", "", "")
    assert denied.region_code == "KZ-79"
    assert (denied.before, denied.after) == (None, None)
    # A number that exists nowhere leaves the same kind of entry: the trail does not tell either.
    assert client.get("/registry/cases/2026-71-999999/").status_code == 404
    missing = AuditEntry.objects.filter(action="access.denied").latest("pk")
    assert missing.details.keys() == denied.details.keys()
    # The region's prosecutor finds the probe in the trail.
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    other = client_class()
    login(other, prosecutor)
    page = other.get("/audit/", {"action": "access.denied"}).content.decode()
    assert "registrar_probe" in page


def test_every_refusal_in_the_url_table_leaves_one_entry(client, login, world):  # noqa: F811
    """Another region's record (404) and a missing right (403), for every URL of the table."""
    registrar = make_user("registrar_refused", "registrar", "KZ-79")
    analyst = make_user("analyst_refused", "analyst", "KZ-79")
    scoped_kinds = ("case", "report", "control", "case-query", "plan", "activity", "evidence")
    checked = {403: 0, 404: 0}
    for user in (registrar, analyst):
        login(client, user)
        role = user.profile.role
        for name, (method, roles, kind) in TABLE.items():
            allowed = role in roles and not name.startswith("letters:")
            if allowed and kind not in scoped_kinds:
                continue
            url = url_for(name, kind, world["KZ-71" if allowed else "KZ-79"])
            since = _last_id()
            response = getattr(client, method)(url)
            expected = 404 if allowed else 403
            assert response.status_code == expected, (name, role)
            entries = _new_entries(since)
            assert [e.action for e in entries] == ["access.denied"], (name, role)
            details = entries[0].details
            assert (details["status"], details["method"]) == (expected, method.upper()), name
            assert details["path"] == url and details["asked"], name
            assert entries[0].username == user.username
            checked[expected] += 1
    assert checked[403] > 20 and checked[404] >= 5, checked


def test_a_service_refusal_inside_a_page_is_recorded(client, login, world):  # noqa: F811
    """A 403 raised by ``policy.ensure`` in a service, not by the page's own rule."""
    investigator = make_user("investigator_79", "investigator", "KZ-79")
    login(client, investigator)
    report = world["KZ-79"]["report"]
    # The investigator may read the report but not decide on it: the POST is refused.
    response = client.post(f"/registry/reports/{report.pk}/", {"decision": "refused"})
    assert response.status_code == 403
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.details["status"] == 403 and denied.details["ref"] == {"pk": str(report.pk)}


# Admin pages that show no record, each with its reason.
ADMIN_EXEMPT = {
    "index": "the list of models",
    "app_list": "the list of one app's models",
    "login": "authentication",
    "logout": "authentication",
    "password_change": "the administrator's own password form",
    "password_change_done": "a confirmation",
    "jsi18n": "the translations of the admin's scripts",
    "autocomplete": "no model admin has autocomplete fields (checked below): it refuses everyone",
    "view_on_site": "a redirect to the record's own (audited) page",
    "reference_population_load": "a form to load population figures (reference data)",
    None: "a redirect to the record's change page, or the admin's catch-all 404",
}
# Model admin page kinds (the URL name's last word) -> what the page shows.
ADMIN_KINDS = {"changelist": "list", "change": "one", "history": "one", "delete": "one",
               "add": "form", "config": "one", "qrcode": "one"}  # fmt: skip


def _admin_objects(world):  # noqa: F811
    """One record of each registered model: the world plus the few it lacks."""
    import datetime as dt

    from django.contrib import admin
    from django.contrib.auth.models import Group

    from qorgau.registry import services
    from qorgau.training.models import Headcount, Session

    case = world["KZ-79"]["case"]
    services.add_party(SYSTEM, case, services.PartyData(role="victim", sex="F", age_band="18-24"))
    services.extend_term(SYSTEM, case, amount=30, unit="days", authorised_by="Regional prosecutor", reason="Expert examination")  # fmt: skip
    Group.objects.create(name="clerks")
    region = case.region
    Session.objects.create(region=region, body="police", held_on=dt.date(2026, 3, 1),
                           participants={"investigator": 3}, topics=["registration"],
                           format="online")  # fmt: skip
    Headcount.objects.create(body="police", region=region, as_of=dt.date(2026, 1, 1),
                             headcount=10, source="test")  # fmt: skip
    from axes.models import AccessAttempt, AccessFailureLog

    from qorgau.access import enrolment

    enrolment.issue(SYSTEM, make_user("registrar_enrolled", "registrar", "KZ-79"))
    from qorgau.oversight.models import Notification

    Notification.objects.create(user=make_user("registrar_notified", "registrar", "KZ-79"),
                                kind="term_passed", ref=case.number, case=case,
                                created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))  # fmt: skip
    from qorgau.registry.models import ImportJob

    ImportJob.objects.create(created_by=make_user("registrar_uploader", "registrar", "KZ-79"),
                             filename="cases.csv", language="kk")  # fmt: skip

    AccessAttempt.objects.create(username="someone", ip_address="10.0.0.1", failures_since_start=1,
                                 get_data="", post_data="", http_accept="", path_info="/login/")  # fmt: skip
    AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.1", http_accept="",
                                    path_info="/login/")  # fmt: skip
    return {model: model._default_manager.order_by("pk").first() for model in admin.site._registry}


def test_every_admin_page_that_shows_records_leaves_one_entry(national_admin, world):  # noqa: F811
    from django.contrib import admin

    from qorgau.access.admin_site import named, subject

    client = national_admin
    objects = _admin_objects(world)
    assert all(objects.values()), [m for m, o in objects.items() if o is None]
    assert not any(ma.autocomplete_fields for ma in admin.site._registry.values())
    by_name = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in objects}
    numbers = [o["case"].number for o in world.values()]
    seen_kinds, refused_kinds = set(), set()
    for route, name, _cb in all_patterns():
        if not route.startswith("admin/"):
            continue
        short = name.split(":", 1)[1] if name != "admin:None" else None
        if short in ADMIN_EXEMPT or short is None:
            continue
        prefix, kind = short.rsplit("_", 1)
        if prefix.endswith("_password"):  # a user's password form: a look at the user
            prefix, kind = prefix.removesuffix("_password"), "change"
        assert kind in ADMIN_KINDS, f"classify the admin page {short} (ADMIN_KINDS/ADMIN_EXEMPT)"
        model = by_name[prefix]
        obj = objects[model]
        url = reverse(name, args=[obj.pk]) if ADMIN_KINDS[kind] == "one" else reverse(name)
        count, since = model._default_manager.count(), _last_id()
        response = client.get(url)
        entries = _new_entries(since)
        actions = [e.action for e in entries]
        if response.status_code == 403:  # refused even to administrators: read-only records
            assert actions == ["access.denied"], (short, actions)
            refused_kinds.add(kind)
            continue
        assert response.status_code == 200, (short, response.status_code)
        seen_kinds.add(kind)
        if ADMIN_KINDS[kind] == "form":
            assert actions == [], (short, actions)
            # An empty form: it must not list the registry's cases (a select of every case).
            assert not any(n.encode() in response.content for n in numbers), (short, "cases")
            continue
        if ADMIN_KINDS[kind] == "list":
            assert actions == [f"{subject(model)}.search"], (short, actions)
            shown = entries[0].details["shown"]
            assert shown and entries[0].details["results"] == count, short
            continue
        target = named(obj)
        assert actions == [f"{subject(type(target))}.view"], (short, actions)
        assert (entries[0].object_type, entries[0].object_id) == (
            target._meta.label_lower,
            str(target.pk),
        ), short
        assert entries[0].details["via"] == "admin"
    assert seen_kinds | refused_kinds == set(ADMIN_KINDS), seen_kinds
    # A device's key and QR code are never shown, not even to an administrator.
    assert {"config", "qrcode"} <= refused_kinds - seen_kinds


def test_admin_pages_name_the_case_of_history_rows_and_control_records(national_admin, world):  # noqa: F811
    client = national_admin
    control = world["KZ-71"]["control"]
    client.get(reverse("admin:oversight_controlrecord_change", args=[control.pk]))
    entry = AuditEntry.objects.get(action="case.view")
    assert entry.object_repr == control.case.number and entry.region_code == "KZ-71"
    assert entry.details == {"via": "admin", "controlrecord": control.pk}
    client.get(reverse("admin:registry_case_history", args=[control.case.pk]))
    history = AuditEntry.objects.filter(action="case.view").latest("pk")
    assert history.details == {"via": "admin", "page": "history"}
    audited = AuditEntry.objects.filter(region_code="KZ-79").first()
    client.get(reverse("admin:audit_auditentry_change", args=[audited.pk]))
    look = AuditEntry.objects.get(action="audit.view")
    assert (look.object_id, look.region_code) == (str(audited.pk), "KZ-79")
    user = make_user("registrar_seen", "registrar", "KZ-79")
    client.get(reverse("admin:auth_user_change", args=[user.pk]))
    seen = AuditEntry.objects.get(action="user.view")
    assert (seen.object_repr, seen.region_code) == ("registrar_seen", "KZ-79")


def test_staff_without_the_admin_right_leave_a_trace_at_the_admin_door(client, login, world):  # noqa: F811
    prosecutor = make_user("prosecutor_door", "prosecutor", is_staff=True)
    login(client, prosecutor)
    response = client.get("/admin/registry/case/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.details["asked"] == "admin.site" and denied.username == "prosecutor_door"
    assert not AuditEntry.objects.filter(action="case.search").exists()
