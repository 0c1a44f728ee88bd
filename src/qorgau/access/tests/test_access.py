"""Every URL of the project, for every role and scope, answers as the access rules say.

The table below is the specification, written independently of ``access.policy``: a new page
without a row here fails ``test_every_url_is_in_the_table``.
"""

import re

import pytest
from django.test import Client as client_class
from django.urls import URLPattern, URLResolver, get_resolver

from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db

ROLES = [
    "registrar",
    "investigator",
    "prosecutor",
    "analyst",
    "campaign",
    "training",
    "administrator",
]
CASE_WORK = {"registrar", "investigator", "prosecutor", "administrator"}
EVERYONE = set(ROLES)
STATS = {"registrar", "investigator", "prosecutor", "analyst", "administrator"}
LETTERS = {"analyst", "prosecutor", "administrator"}
CAMPAIGNS = {"campaign", "analyst", "prosecutor", "administrator"}
# Expected answer of an allowed request where it differs from OK (a redirect after an action).
ALLOWED_STATUS = {"letters:generate": 302, "oversight:notification_read": 302}

# url name -> (method, roles allowed, the kind of record in the URL or query, if any)
TABLE = {
    "home": ("get", EVERYONE, None),
    "registry:case_list": ("get", CASE_WORK, None),
    "registry:case_new": ("get", {"registrar", "administrator"}, None),
    "registry:case_export": ("get", CASE_WORK, None),
    "registry:case_import": ("get", {"registrar", "administrator"}, None),
    # A job is its uploader's (and an administrator's of its scope): the user's own job here;
    # registry/tests/test_import_browser.py checks another's (404).
    "registry:case_import_job": ("get", {"registrar", "administrator"}, "import-job"),
    "registry:case_import_status": ("get", {"registrar", "administrator"}, "import-job"),
    "registry:case_detail": ("get", CASE_WORK, "case"),
    "registry:case_card": ("get", CASE_WORK, "case"),
    "registry:case_status": ("post", {"investigator", "prosecutor", "administrator"}, "case"),
    "registry:case_party": ("get", {"registrar", "investigator", "administrator"}, "case"),
    "registry:case_requalify": ("get", {"investigator", "prosecutor", "administrator"}, "case"),
    "registry:case_extend": ("get", {"investigator", "prosecutor", "administrator"}, "case"),
    "registry:report_list": ("get", CASE_WORK, None),
    "registry:search": ("get", CASE_WORK, None),
    "registry:report_new": ("get", {"registrar", "administrator"}, None),
    "registry:report_detail": ("get", CASE_WORK, "report"),
    "registry:report_register": ("get", {"registrar", "administrator"}, "report"),
    "oversight:control": ("get", {"prosecutor", "administrator"}, None),
    "oversight:export": ("get", {"prosecutor", "administrator"}, None),
    "oversight:control_new": ("get", {"prosecutor", "administrator"}, "case-query"),
    "oversight:control_result": ("post", {"prosecutor", "administrator"}, "control"),
    # Everyone's own notices of overdue items (a notice of another user is a 404).
    "oversight:notifications": ("get", EVERYONE, None),
    "oversight:notification_read": ("post", EVERYONE, "notification"),
    "audit:list": ("get", {"prosecutor", "administrator"}, None),
    "audit:export": ("get", {"prosecutor", "administrator"}, None),
    "stats:dashboard": ("get", STATS, None),
    "stats:export": ("get", STATS, "export"),
    # National figures for UNODC: a national scope only (NATIONAL_URLS).
    "stats:un_cts": ("get", {"analyst", "prosecutor", "administrator"}, "un-cts"),
    "campaigns:progress": ("get", CAMPAIGNS, None),
    "campaigns:plan": ("get", CAMPAIGNS, "plan"),
    "campaigns:plan_export": ("get", CAMPAIGNS, "plan"),
    "campaigns:import": ("get", {"campaign", "administrator"}, None),
    "campaigns:template": ("get", CAMPAIGNS, None),
    "campaigns:progress_export": ("get", CAMPAIGNS, None),
    "campaigns:activity": ("get", CAMPAIGNS, "activity"),
    "campaigns:activity_update": ("post", {"campaign", "administrator"}, "activity"),
    "campaigns:evidence_add": ("post", {"campaign", "administrator"}, "activity"),
    "campaigns:evidence_file": ("get", CAMPAIGNS, "evidence"),
    "training:page": ("get", {"training", "analyst", "prosecutor", "administrator"}, None),
    "training:export": ("get", {"training", "analyst", "prosecutor", "administrator"}, None),
    "training:session_new": ("get", {"training", "administrator"}, None),
    "training:headcount_new": ("get", {"training", "administrator"}, None),
    "letters:list": ("get", LETTERS, None),
    "letters:detail": ("get", LETTERS, "inquiry"),
    "letters:inquiry_new": ("get", LETTERS, None),
    "letters:inquiry_edit": ("get", LETTERS, "inquiry"),
    "letters:inquiry_status": ("post", LETTERS, "inquiry"),
    "letters:generate": ("post", LETTERS, "inquiry-ru"),
    "letters:draft": ("get", LETTERS, "inquiry-ru"),
    "letters:version": ("get", LETTERS, "version"),
}
# Pages of national documents besides the letters: a regional scope gets a 403.
NATIONAL_URLS = {"stats:un_cts"}
PUBLIC = {"login", "logout", "set_language", "otp", "healthz", "readyz"} | {
    f"portal:{name}"
    for name in (
        "home",
        "help",
        "self_check",
        "statistics",
        "statistics_csv",
        "page",
        "releases",
        "release",
        "release_csv",
    )
}
# Expected answer of an allowed request: a page, or 400 for an empty POST to a form action.
OK = {"get": 200, "post": 400}


def all_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern.callback


@pytest.fixture
def world(make_case, settings, tmp_path):
    """A case, a report and a control record in Shymkent (KZ-79) and in Astana (KZ-71)."""
    settings.VAR_DIR = tmp_path  # campaign evidence files are written under VAR_DIR
    from qorgau.oversight.models import ControlRecord
    from qorgau.reference.models import Body
    from qorgau.registry import services
    from tests.fixtures import local

    objects = {}
    for code in ("KZ-79", "KZ-71"):
        case = make_case(region=code)
        report = services.create_report(SYSTEM, case.region, received_at=local(2026, 1, 5, 10, 0), channel="call_102", receiving_body=Body.objects.get(code=f"POL-{code[3:]}"), summary="…")  # fmt: skip
        control = ControlRecord.objects.create(case=case, instruction="check")
        objects[code] = {"case": case, "report": report, "control": control}
    # Letters are national documents built from aggregates: one inquiry with a draft and a version.
    from qorgau.demo.letters import seed_inquiry
    from qorgau.letters import services as letters

    inquiry = seed_inquiry()
    letters.produce_reply(SYSTEM, letters.regenerate_reply(SYSTEM, inquiry, "ru"), "html")
    from qorgau.campaigns.models import Organisation, Plan

    for code in objects:
        org = Organisation.objects.create(
            name_kk=f"Әкімдік {code}", name_ru=f"Акимат {code}", kind="akimat"
        )
        objects[code]["plan"] = Plan.objects.create(
            title_kk="Жоспар", title_ru="План", kind="akimat", approved_on="2026-02-01", approved_by=org, lead=org,
            period_from="2026-02-01", period_to="2026-12-31", region=objects[code]["case"].region,
        )  # fmt: skip
        from django.core.files.base import ContentFile

        activity = objects[code]["plan"].activities.create(
            title_kk="Іс-шара", title_ru="Мероприятие", kind="video", responsible=org,
            due_on="2026-03-01",
        )  # fmt: skip
        evidence = activity.evidence_items.create(original_name="a.pdf")
        evidence.file.save("a.pdf", ContentFile(b"%PDF-1.4"))
        objects[code]["activity"], objects[code]["evidence"] = activity, evidence
        objects[code]["inquiry"] = inquiry
    return objects


def import_job(user, region):
    """A queued case import uploaded by ``user`` (else by a registrar of ``region``)."""
    from django.contrib.auth import get_user_model

    from qorgau.registry.models import ImportJob

    if user is None:
        name = f"uploader_{region.code}"
        user = get_user_model().objects.filter(username=name).first()
        user = user or make_user(name, "registrar", region.code)
    return ImportJob.objects.create(
        created_by=user, region=user.profile.region, filename="cases.csv", language="en"
    )


def notification(user, case):
    """A notice to ``user`` that ``case``'s term passed (marking it read answers 302)."""
    from django.utils import timezone

    from qorgau.oversight.models import Notification

    return Notification.objects.create(
        user=user, kind="term_passed", ref=case.number, case=case, created_at=timezone.now()
    )


def url_for(name, kind, obj_set, user=None):
    from django.urls import reverse

    if kind == "notification":
        return reverse(name, args=[notification(user, obj_set["case"]).pk if user else 0])

    if kind == "import-job":
        return reverse(name, args=[import_job(user, obj_set["case"].region).pk])
    if kind == "case":
        return reverse(name, args=[obj_set["case"].number])
    if kind == "report":
        return reverse(name, args=[obj_set["report"].pk])
    if kind == "control":
        return reverse(name, args=[obj_set["control"].pk])
    if kind == "export":
        return reverse(name, args=["regions", "csv"])
    if kind == "un-cts":
        return reverse(name, args=[2025, "csv"])
    if kind == "plan":
        return reverse(name, args=[obj_set["plan"].pk])
    if kind in ("activity", "evidence"):
        return reverse(name, args=[obj_set[kind].pk])
    if kind == "inquiry":
        return reverse(name, args=[obj_set["inquiry"].pk])
    if kind == "inquiry-ru":
        return reverse(name, args=[obj_set["inquiry"].pk, "ru"])
    if kind == "version":
        return reverse(name, args=[obj_set["inquiry"].pk, 1])
    if kind == "case-query":
        return reverse(name) + f"?case={obj_set['case'].number}"
    return reverse(name)


def test_every_url_is_in_the_table_and_every_view_has_a_rule():
    names = set()
    for route, name, callback in all_patterns():
        if route.startswith("admin/"):
            continue  # the admin site is checked below, as a whole
        if route.startswith("api/"):
            continue  # the API has its own table: api/tests/test_api_access.py
        names.add(name)
        if name.startswith("portal:"):
            assert getattr(callback, "qorgau_action", None) == "public", route
        elif name in PUBLIC:
            # login/logout and the probes are marked public; Django's language switch and the one-time
            # password page (login required, it is the gate itself) carry no rule: what each
            # answers is checked by test_public_urls_answer_as_expected.
            expected = "public" if name in ("login", "logout", "healthz", "readyz") else None
            assert getattr(callback, "qorgau_action", None) == expected, route
        elif name not in PUBLIC:
            assert getattr(callback, "qorgau_action", None), f"{route} has no access rule"
    assert names - PUBLIC == set(TABLE), "add the new page to TABLE with its expected answers"


@pytest.mark.parametrize("scope", ["national", "KZ-79"])
@pytest.mark.parametrize("role", ROLES)
def test_url_answers_for_role_and_scope(client, login, world, role, scope):
    user = make_user(f"{role}_{scope}", role, None if scope == "national" else scope,
                     is_staff=role == "administrator")  # fmt: skip
    login(client, user)
    for name, (method, allowed, kind) in TABLE.items():
        own = url_for(name, kind, world["KZ-79"], user)
        other = url_for(name, kind, world["KZ-71"])
        send = getattr(client, method)
        national_only = name.startswith("letters:") or name in NATIONAL_URLS
        if role not in allowed or (national_only and scope != "national"):
            # Replies to Parliament are national documents: a regional scope may not draft them.
            assert send(own).status_code == 403, (name, role, scope)
            continue
        assert send(own).status_code == ALLOWED_STATUS.get(name, OK[method]), (name, role, scope)
        if kind in ("case", "report", "control", "case-query", "plan", "activity", "evidence"):
            expected = OK[method] if scope == "national" else 404
            assert send(other).status_code == expected, (name, role, scope, "other region")


def test_anonymous_visitor_is_sent_to_login_everywhere(client, world):
    for name, (method, _allowed, kind) in TABLE.items():
        response = getattr(client, method)(url_for(name, kind, world["KZ-79"]))
        # The bare domain opens the public page for anyone not logged in (no login form there).
        expected = "/kk/" if name == "home" else "/login/"
        assert response.status_code == 302 and response["Location"].startswith(expected), name


READ_ONLY_IN_ADMIN = {
    "case", "qualification", "statuschange", "termextension", "casenumbersequence", "auditentry",
    "replyversion",  # a produced document is kept as it was produced
    "rowversion",  # the history of campaign and training rows, written by letters.history only
    "accessattempt", "accesslog", "accessfailurelog",  # django-axes keeps its login records read-only
    "enrolmentcode",  # issued by the users' action or the command, changed only by its use
    "totpdevice",  # its key and QR code page: the admin never shows a device's key
    "notification",  # made by qorgau notify-overdue, marked read by its user
    "importjob",  # an upload's fate, written by the import task only
}  # fmt: skip


def concrete(route: str, object_id: int = 1) -> str:
    """A requestable path for an admin route: parameters filled with plausible values."""
    route = re.sub(r"\^\(\?P<app_label>[^)]*\)", "registry", route)
    route = re.sub(r"<path:object_id>|<int:[^>]+>", str(object_id), route)
    route = re.sub(r"<[^>]+>", "x", route)
    return "/" + route.replace("^", "").replace("$", "")


@pytest.mark.parametrize("role", ROLES)
def test_admin_site_is_for_administrators_only(client, login, world, role):
    user = make_user(
        f"{role}_admin_check", role, is_staff=True, is_superuser=role == "administrator"
    )
    login(client, user)
    admin_routes = [route for route, _name, _cb in all_patterns() if route.startswith("admin/")]
    assert len(admin_routes) > 50
    forbidden = set()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first()
    for route in admin_routes:
        # django-otp's device pages need an existing device (they fail on a missing one).
        path = concrete(route, device.pk if device and route.startswith("admin/otp_totp/") else 1)
        response = client.get(path)
        if route in ("admin/login/", "admin/logout/"):
            assert response.status_code in (200, 302, 405), path
        elif route == "admin/autocomplete/":
            # Without its query parameters the autocomplete refuses everyone; others never reach it.
            assert response.status_code == (403 if role == "administrator" else 302), path
        elif role == "administrator":
            assert response.status_code in (200, 302, 403, 404), path
            if response.status_code == 403:
                forbidden.add(path.split("/")[3])
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], path
    if role == "administrator":
        # Refused even to administrators: the records that change only through the services.
        assert forbidden == READ_ONLY_IN_ADMIN
        case = world["KZ-71"]["case"]
        assert client.get(f"/admin/registry/case/{case.pk}/change/").status_code == 200


def test_shymkent_registrar_cannot_reach_another_regions_case_anywhere(client, login, world):
    user = make_user("registrar_79", "registrar", "KZ-79")
    login(client, user)
    astana_case = world["KZ-71"]["case"]
    assert client.get(f"/registry/cases/{astana_case.number}/").status_code == 404
    search = client.get("/registry/cases/", {"number": astana_case.number}).content.decode()
    assert f'href="/registry/cases/{astana_case.number}/"' not in search
    everything = client.get("/registry/cases/").content.decode()
    assert world["KZ-79"]["case"].number in everything and astana_case.number not in everything
    export = client.get("/registry/cases/export.csv").getvalue().decode()
    assert world["KZ-79"]["case"].number in export and astana_case.number not in export
    assert client.get(f"/registry/reports/{world['KZ-71']['report'].pk}/").status_code == 404
    assert (
        client.post(
            f"/registry/cases/{astana_case.number}/status/", {"to_status": "terminated"}
        ).status_code
        == 403
    )
    # The national prosecutor sees it.
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    other = client_class()
    login(other, prosecutor)
    assert other.get(f"/registry/cases/{astana_case.number}/").status_code == 200
    assert astana_case.number in other.get("/registry/cases/export.csv").getvalue().decode()


def test_command_run_for_a_user_is_scoped(world):
    import io

    from django.core.management import call_command

    make_user("registrar_cli", "registrar", "KZ-79")
    out = io.StringIO()
    call_command("export-cases", "--as-user", "registrar_cli", stdout=out)
    assert world["KZ-79"]["case"].number in out.getvalue()
    assert world["KZ-71"]["case"].number not in out.getvalue()
    make_user("analyst_cli", "analyst")
    out = io.StringIO()
    call_command("export-cases", "--as-user", "analyst_cli", stdout=out)
    assert out.getvalue().count("\n") == 1  # the header only: analysts never get case rows


# url name -> (method, path, data, expected status for an anonymous visitor, redirect target)
PUBLIC_ANSWERS = {
    "login": ("get", "/login/", None, 200, None),
    "logout": ("post", "/logout/", None, 302, "/login/"),
    "set_language": ("post", "/i18n/setlang/", {"language": "ru", "next": "/ru/"}, 302, "/ru/"),
    "otp": ("get", "/otp/", None, 302, "/login/?next=/otp/"),
    "portal:home": ("get", "/kk/", None, 200, None),
    "portal:help": ("get", "/kk/help/", None, 200, None),
    "portal:self_check": ("get", "/kk/self-check/", None, 200, None),
    "portal:statistics": ("get", "/kk/statistics/", None, 200, None),
    "portal:statistics_csv": ("get", "/kk/statistics.csv", None, 200, None),
    "portal:releases": ("get", "/kk/statistics/releases/", None, 200, None),
    # No release is published in this test's database: a public 404, the same for anyone.
    "portal:release": ("get", "/kk/statistics/releases/1/", None, 404, None),
    "portal:release_csv": ("get", "/kk/statistics/releases/1.csv", None, 404, None),
    "portal:page": ("get", "/kk/stalking/", None, 200, None),
    # The probes (core/health.py): live, and ready with the test database migrated.
    "healthz": ("get", "/healthz", None, 200, None),
    "readyz": ("get", "/readyz", None, 200, None),
}


def test_public_urls_answer_as_expected(client):
    assert set(PUBLIC_ANSWERS) == PUBLIC
    for name, (method, path, data, status, location) in PUBLIC_ANSWERS.items():
        response = getattr(client, method)(path, data or {})
        assert response.status_code == status, (name, response.status_code)
        if location:
            assert response["Location"] == location, name
    assert client.cookies["django_language"].value == "ru"
    # A logged-out visitor cannot log out by a link (GET): Django asks for a POST.
    assert client.get("/logout/").status_code == 405


def test_regions_for_names_the_regions_of_the_users_scope():
    from qorgau.access import policy
    from qorgau.reference.models import Region

    registrar_79 = make_user("registrar_r79", "registrar", "KZ-79")
    prosecutor = make_user("prosecutor_r", "prosecutor")
    analyst_79 = make_user("analyst_r79", "analyst", "KZ-79")

    def codes(user, action):
        return sorted(policy.regions_for(user, action).values_list("code", flat=True))

    # Twenty first-level regions: 17 oblasts and 3 cities of republican significance.
    everywhere = sorted(Region.objects.values_list("code", flat=True))
    assert len(everywhere) == 20
    assert codes(registrar_79, "case.create") == ["KZ-79"]
    assert codes(registrar_79, "case.search") == ["KZ-79"]
    assert codes(prosecutor, "case.search") == everywhere
    assert codes(prosecutor, "case.create") == []  # no right, no region
    assert codes(analyst_79, "stats.view") == ["KZ-79"]
    assert codes(analyst_79, "letters.draft") == []  # national documents: national scope only
    assert codes(make_user("analyst_r", "analyst"), "letters.draft") == everywhere
    assert codes(None, "stats.view") == []
    assert codes(SYSTEM, "case.create") == everywhere
    with pytest.raises(KeyError):
        policy.regions_for(prosecutor, "case.destroy")


def test_bodies_for_offers_own_region_bodies_and_national_ones_to_a_national_scope_only():
    from django.contrib.auth import get_user_model

    from qorgau.access import policy
    from qorgau.reference.models import Body

    national = Body.objects.create(
        code="IC-KZ", kind="investigative_committee", region=None,
        name_kk="ТК", name_ru="СК", name_en="IC",
    )  # fmt: skip
    registrar_79 = make_user("registrar_b79", "registrar", "KZ-79")
    prosecutor = make_user("prosecutor_b", "prosecutor")
    no_role = get_user_model().objects.create_user("nobody_b", password="nobody-b-pass-123")

    def codes(user, action):
        return set(policy.bodies_for(user, action).values_list("code", flat=True))

    shymkent = set(Body.objects.filter(region__code="KZ-79").values_list("code", flat=True))
    assert "POL-79" in shymkent
    assert codes(registrar_79, "case.create") == shymkent  # no national body, no other region
    assert codes(prosecutor, "oversight.view") == set(Body.objects.values_list("code", flat=True))
    assert "IC-KZ" in codes(prosecutor, "oversight.view") and national.region_id is None
    assert codes(prosecutor, "case.create") == set()  # no right, no body
    assert codes(no_role, "case.view") == set()  # no role counts as national in Scope: still none
    assert codes(None, "case.view") == set()
    with pytest.raises(KeyError):
        policy.bodies_for(prosecutor, "case.destroy")


def test_ensure_refuses_a_service_call_the_policy_does_not_allow(make_case):
    from qorgau.access import policy

    astana_case, shymkent_case = make_case(region="KZ-71"), make_case(region="KZ-79")
    registrar_79 = make_user("registrar_e79", "registrar", "KZ-79")
    policy.ensure(registrar_79, "case.view", shymkent_case)
    policy.ensure(SYSTEM, "case.change_status", astana_case)  # the system itself
    with pytest.raises(policy.NotAllowed):
        policy.ensure(None, "case.view", astana_case)  # nobody: the system is named, not None
    for action, obj in [("case.view", astana_case), ("case.change_status", shymkent_case)]:
        with pytest.raises(policy.NotAllowed):
            policy.ensure(registrar_79, action, obj)
    with pytest.raises(policy.NotAllowed):
        policy.ensure(registrar_79, "case.create", astana_case.region)


# Models that legitimately hold names, addresses and telephone numbers — of ORGANISATIONS and
# PLACES, never of people in a case. Each must stay unlinked from the registry (checked below).
NAMED_ORGANISATIONS = {
    "reference.region": "a region's official name",
    "reference.body": "a police, investigating or prosecuting body's name",
    "campaigns.organisation": "an akimat or other organisation taking part in the campaign",
    "portal.helpcontact": "a public help line or crisis centre: its name, phone and address are published for victims",
    "letters.inquiry": "a reply's executor: the official who prepared it and the office phone, printed on the letter (Орынд./Исп.); no party to a case",
}
# Single fields whose name contains such a word but that name no person.
NOT_A_PERSON = {
    ("campaigns.evidence", "original_name"): "the name of an uploaded evidence file",
    ("api.apiclient", "name"): "the name of a registered system calling the API (erdr-shymkent)",
}
IDENTIFYING = {"name", "firstname", "lastname", "surname", "patronymic", "iin", "address",
               "phone", "email", "birth", "birthdate", "passport", "fio"}  # fmt: skip


def test_no_model_holding_parties_or_case_data_has_an_identifying_field():
    from django.apps import apps

    qorgau_apps = [a for a in apps.get_app_configs() if a.name.startswith("qorgau.")]
    assert {"registry", "oversight", "audit", "letters", "campaigns", "training", "portal"} <= {
        a.label for a in qorgau_apps
    }
    flagged = set()
    for model in (m for a in qorgau_apps for m in a.get_models()):
        label = model._meta.label_lower
        for field in model._meta.get_fields():
            words = set(field.name.lower().split("_"))
            if IDENTIFYING & words and (label, field.name) not in NOT_A_PERSON:
                flagged.add(label)
                assert label in NAMED_ORGANISATIONS, (label, field.name)
    # Every exemption is still needed (a stale one would hide a new field).
    assert flagged == set(NAMED_ORGANISATIONS)
    registry_models = set(apps.get_app_config("registry").get_models())
    for label in NAMED_ORGANISATIONS:
        model = apps.get_model(label)
        for field in model._meta.get_fields():
            # Neither pointing to case data nor holding it: no relation from these to the
            # registry's own models (cases point to bodies and regions, never the reverse).
            if field.concrete and field.is_relation:
                assert field.related_model not in registry_models, (label, field.name)
