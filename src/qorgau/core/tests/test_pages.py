"""Staff pages and the admin, in Kazakh, Russian and English."""

import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.test import Client as client_class
from django.urls import reverse

from qorgau.registry.models import Case, Report
from tests.fixtures import SYSTEM, local

pytestmark = pytest.mark.django_db


def set_lang(client, lang):
    response = client.post(reverse("set_language"), {"language": lang, "next": "/"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("lang", "text"), [("kk", 'lang="kk"'), ("ru", 'lang="ru"'), ("en", 'lang="en"')]
)
def test_home_page_in_each_language(client, admin_user, make_case, lang, text, login):
    make_case()
    login(client, admin_user)
    set_lang(client, lang)
    response = client.get("/")
    assert response.status_code == 200
    assert f"<html {text} " in response.content.decode()
    assert "115-1" in response.content.decode()


def test_anonymous_visitor_at_the_root_is_sent_to_the_public_page(client):
    """A visitor who is not logged in lands on the public page (no cookie set); staff sign in
    at /login/, which still works."""
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/kk/"
    assert not response.cookies
    assert client.get("/login/").status_code == 200


def test_demo_login_works_with_the_printed_password_and_one_time_code(client):
    out = io.StringIO()
    call_command("create-demo-users", stdout=out, lang="en")
    assert "Qorgau-demo-2026" in out.getvalue()
    response = client.post("/login/", {"username": "admin", "password": "Qorgau-demo-2026"})
    assert response.status_code == 302
    # An administrator must confirm with a one-time code before anything else.
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/otp/")
    code = io.StringIO()
    call_command("totp-code", "admin", stdout=code)
    response = client.post("/otp/", {"token": code.getvalue().strip(), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
    # A registrar needs no code.
    other = client_class()
    assert (
        other.post(
            "/login/", {"username": "registrar_shymkent", "password": "Qorgau-demo-2026"}
        ).status_code
        == 302
    )
    assert other.get("/").status_code == 200


def test_every_admin_page_opens(client, admin_user, make_case, login):
    case = make_case()
    login(client, admin_user)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        if model_admin.has_add_permission(type("R", (), {"user": admin_user})()):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change
    assert client.get(reverse("admin:registry_case_change", args=[case.pk])).status_code == 200


# Models with no admin, each for a reason.
NO_ADMIN = {
    # Derived counts kept by database triggers: never edited by hand; `qorgau stats-verify
    # --rebuild` repairs them from the registry (docs/stats.md, "Aggregates").
    "CaseCount", "PartyCount", "ReportCount",
    # Published statistics releases: frozen once published (a change is a correction, a new
    # release, with its reason: `qorgau release correct`); everyone reads them on the public
    # pages /<lang>/statistics/releases/ (docs/stats.md, "Releases").
    "Release",
    # The change feed's outbox: written by the services in the change's own transaction, read
    # through GET /api/v1/changes (docs/api.md); never edited, or a mirror would drift.
    "Change",
    # API clients: registered, listed and revoked by `qorgau api-client` (a national
    # administrator; the key shown once); their calls are in the audit trail (docs/api.md).
    "ApiClient",
    # Stored first answers of POSTs with an Idempotency-Key: replayed, never edited.
    "IdempotencyKey",
    # Webhooks: subscriptions made and disabled by `qorgau webhook` (their secret shown once),
    # events and deliveries written by its scan and the worker; the log is read with
    # `qorgau webhook log` (docs/api.md#webhooks). Editing them would forge the log.
    "Subscription",
    "Event",
    "Delivery",
    "DeliveryAttempt",
}  # fmt: skip


def test_every_model_has_an_admin():
    ours = [m for m in apps.get_models() if m.__module__.startswith("qorgau.")]
    missing = [m.__name__ for m in ours if m not in admin.site._registry]
    assert sorted(set(missing) - NO_ADMIN) == []
    assert {m.__name__ for m in ours} >= NO_ADMIN  # no reason kept for a model that is gone


def test_registering_a_case_through_the_page(client, admin_user, login):
    login(client, admin_user)
    from qorgau.reference.models import ArticlePart, Region

    data = {
        "region": Region.objects.get(code="KZ-79").pk,
        "article_part": ArticlePart.objects.get(article__code="125-1", number=1).pk,
        "registered_at": "2026-01-05T10:00", "investigating_body": "",
        "victim_sex": "F", "victim_age_band": "18-24", "suspect_sex": "M", "relationship": "relative",
        "victim_consent": "no",
    }  # fmt: skip
    response = client.post(reverse("registry:case_new"), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("registry:case_detail", args=[case.number])
    assert case.parties.count() == 2
    assert case.parties.get(role="victim").consent_further_use is False


def test_form_keeps_what_the_user_typed_when_refused(client, admin_user, login):
    login(client, admin_user)
    set_lang(client, "en")
    from qorgau.reference.models import ArticlePart, Region

    data = {
        "region": Region.objects.get(code="KZ-79").pk,
        "article_part": ArticlePart.objects.get(article__code="115-1", number=1).pk,
        "registered_at": "2025-09-01T10:00",  # before the article was in force
        "victim_sex": "F", "victim_age_band": "18-24", "suspect_sex": "M", "relationship": "spouse",
    }  # fmt: skip
    response = client.post(reverse("registry:case_new"), data)
    body = response.content.decode()
    assert response.status_code == 400  # refused: the form again, with what was typed
    assert "in force since 2025-09-16" in body
    assert 'value="2025-09-01T10:00"' in body
    assert '<option value="spouse" selected>' in body
    assert not Case.objects.exists()


def test_illegal_status_change_through_the_page_is_refused_and_nothing_changes(
    client, admin_user, make_case, login
):
    login(client, admin_user)
    set_lang(client, "ru")
    case = make_case()
    url = reverse("registry:case_status", args=[case.number])
    response = client.post(url, {"to_status": "terminated", "ground": "", "reason": ""})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "investigation" and case.status_changes.count() == 1
    response = client.post(url, {"to_status": "terminated", "ground": "no_event", "reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "terminated"


def test_case_search_and_detail_and_export(client, admin_user, make_case, login):
    login(client, admin_user)
    a = make_case(region="KZ-79")
    make_case(region="KZ-71", article="125-1")
    response = client.get(reverse("registry:case_list"), {"region": "KZ-79"})
    assert a.number in response.content.decode() and "2026-71-" not in response.content.decode()
    assert client.get(reverse("registry:case_detail", args=[a.number])).status_code == 200
    assert client.get(reverse("registry:case_detail", args=["2026-99-000001"])).status_code == 404
    export = client.get(reverse("registry:case_export"))
    assert export["Content-Type"].startswith("text/csv")
    assert export.getvalue().decode().count("\n") == 3


def test_report_entry_and_decision_pages(client, admin_user, login):
    login(client, admin_user)
    from qorgau.reference.models import Body, Region

    response = client.post(reverse("registry:report_new"), {
        "received_at": "2026-01-05T10:00", "channel": "helpline_111",
        "receiving_body": Body.objects.get(code="POL-79").pk, "region": Region.objects.get(code="KZ-79").pk,
        "suggested_article": "", "summary": "Жазбаша арыз",
    })  # fmt: skip
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.received_at == local(2026, 1, 5, 10, 0)
    response = client.post(
        reverse("registry:report_detail", args=[report.pk]), {"decision": "no_offence", "note": ""}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.decision == "no_offence" and report.decided_at is not None


# --- Actions on reports and cases through the staff pages ---------------------------------


def shymkent_report(decision=None, note=""):
    from qorgau.reference.models import Body, Region
    from qorgau.registry import lifecycle, services

    report = services.create_report(SYSTEM, Region.objects.get(code="KZ-79"), received_at=local(2026, 1, 5, 10, 0), channel="call_102", receiving_body=Body.objects.get(code="POL-79"), summary="…")  # fmt: skip
    if decision:
        lifecycle.decide(SYSTEM, report, decision, at=local(2026, 1, 5, 12, 0), note=note)
    return report


def test_a_case_is_registered_from_a_report_and_linked_to_it(client, registrar, login):
    from qorgau.reference.models import ArticlePart

    report = shymkent_report(decision="no_offence")  # a refusal, overturned by the registration
    login(client, registrar)
    detail = client.get(reverse("registry:report_detail", args=[report.pk])).content.decode()
    assert reverse("registry:report_register", args=[report.pk]) in detail
    part = ArticlePart.objects.get(article__code="125-1", number=1)
    response = client.post(
        reverse("registry:report_register", args=[report.pk]),
        {"article_part": part.pk, "registered_at": "2026-01-06T09:00", "investigating_body": ""},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("registry:case_detail", args=[case.number])
    report.refresh_from_db()
    assert report.decision == "registered" and list(report.cases.all()) == [case]
    assert case.region.code == "KZ-79" and case.article_part == part
    assert case.registered_at == local(2026, 1, 6, 9, 0)


def test_a_report_sent_elsewhere_cannot_open_a_case_and_the_form_keeps_the_input(
    client, registrar, login
):
    from qorgau.reference.models import ArticlePart

    report = shymkent_report(decision="sent_elsewhere", note="akimat")
    login(client, registrar)
    set_lang(client, "en")
    part = ArticlePart.objects.get(article__code="115-1", number=1)
    response = client.post(
        reverse("registry:report_register", args=[report.pk]),
        {"article_part": part.pk, "registered_at": "2026-01-06T09:00", "investigating_body": ""},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "it cannot become" in body  # the lifecycle's own message
    assert 'value="2026-01-06T09:00"' in body
    assert f'<option value="{part.pk}" selected>' in body
    assert not Case.objects.exists()
    report.refresh_from_db()
    assert report.decision == "sent_elsewhere"


def test_victims_consent_is_recorded_when_adding_and_editing_a_party(
    client, registrar, make_case, login
):
    case = make_case()
    login(client, registrar)
    set_lang(client, "en")
    url = reverse("registry:case_party", args=[case.number])
    victim = {
        "role": "victim",
        "sex": "F",
        "age_band": "25-34",
        "relationship": "",
        "consent": "no",
    }
    assert client.post(url, victim).status_code == 302
    party = case.parties.get()
    assert party.consent_further_use is False and party.age_band == "25-34"
    response = client.post(f"{url}?party={party.pk}", {**victim, "consent": "yes"})
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.consent_further_use is True
    response = client.post(f"{url}?party={party.pk}", {**victim, "consent": ""})
    party.refresh_from_db()
    assert party.consent_further_use is None  # "not asked"
    # A suspect has no consent to record: refused, and the form keeps what was typed.
    suspect = {"role": "suspect", "sex": "M", "age_band": "35-44", "relationship": "spouse",
               "consent": "yes"}  # fmt: skip
    response = client.post(url, suspect)
    body = response.content.decode()
    assert response.status_code == 400 and "victims only" in body
    assert '<option value="spouse" selected>' in body and '<option value="35-44" selected>' in body
    assert case.parties.count() == 1
    # A party of another case is not reachable through this case.
    other = make_case()
    assert (
        client.get(
            f"{reverse('registry:case_party', args=[other.number])}?party={party.pk}"
        ).status_code
        == 404
    )


def test_requalification_and_extension_through_the_pages(client, make_case, login):
    import datetime as dt

    from qorgau.reference.models import ArticlePart
    from tests.fixtures import make_user

    case = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))
    login(client, make_user("investigator_79", "investigator", "KZ-79"))
    set_lang(client, "en")
    url = reverse("registry:case_requalify", args=[case.number])
    same = {"article_part": case.article_part.pk, "reason": "typo"}
    response = client.post(url, same)
    assert (
        response.status_code == 400
        and "already has this qualification" in response.content.decode()
    )
    crime = ArticlePart.objects.get(article__code="125-1", number=1)
    response = client.post(url, {"article_part": crime.pk, "reason": "coercion found"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.article_part == crime and case.term_ends_on == dt.date(2026, 3, 10)
    assert [q.reason for q in case.qualifications.all()][-1] == "coercion found"

    url = reverse("registry:case_extend", args=[case.number])
    response = client.post(
        url, {"amount": "1", "unit": "months", "authorised_by": "", "reason": "x"}
    )
    assert response.status_code == 400 and 'value="1"' in response.content.decode()
    response = client.post(url, {"amount": "1", "unit": "months",
                                 "authorised_by": "city prosecutor, decision 12", "reason": "expertise"})  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.term_ends_on == dt.date(2026, 4, 10)
    extension = case.extensions.get()
    assert (extension.amount, extension.unit, extension.authorised_by) == (
        1, "months", "city prosecutor, decision 12")  # fmt: skip
    page = client.get(reverse("registry:case_detail", args=[case.number])).content.decode()
    assert "1 month" in page and "10.04.2026" in page  # the history, in the reader's format


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("campaign", ["/campaigns/"], ["/registry/cases/", "/audit/", "/oversight/"]),
        ("analyst", ["/stats/", "/campaigns/", "/letters/"], ["/registry/cases/", "/audit/"]),
        (
            "registrar",
            ["/registry/cases/", "/registry/reports/", "/stats/"],
            ["/audit/", "/admin/"],
        ),
    ],
)
def test_menu_and_shortcuts_show_only_what_the_role_may_open(client, role, shown, hidden):
    """A link to a page the user would get 403 on is not shown to them."""
    from tests.fixtures import make_user

    client.force_login(make_user(f"{role}_menu", role))
    page = client.get("/").content.decode()
    for href in shown:
        assert f'href="{href}"' in page, href
    for href in hidden:
        assert f'href="{href}"' not in page, href
    for href in shown:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("lang", "registration", "change", "ground"),
    [
        (
            "kk",
            "Іс тіркелді",
            "Істің мәртебесі өзгертілді",
            "қылмыстық жауаптылыққа тартылуға тиіс адам анықталмаған",
        ),
        (
            "ru",
            "Дело зарегистрировано",
            "Статус дела изменён",
            "лицо, подлежащее привлечению к уголовной ответственности, не установлено",
        ),
    ],
)
def test_history_rows_written_by_the_system_read_in_the_readers_language(
    client, login, make_case, lang, registration, change, ground
):
    """The case's history reads in the language of whoever reads the case, whatever the
    language of whoever registered it; grounds show their label, never their code."""
    from django.utils import translation

    from qorgau.registry import lifecycle
    from tests.fixtures import make_user

    with translation.override("en"):
        case = make_case()
    lifecycle.transition(SYSTEM, case, "suspended", ground="suspect_unknown")
    login(client, make_user("investigator_kz", "investigator"))
    client.cookies["django_language"] = lang
    page = client.get(f"/registry/cases/{case.number}/").content.decode()
    assert registration in page and change in page
    assert ground in page and "suspect_unknown" not in page
