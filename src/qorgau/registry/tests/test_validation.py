"""Validation that knows the domain (issue 12, item 5): each case the issue measured is refused
with its message next to its field, every error of a form is shown at once, what the user
typed is kept, the status form offers only what may follow, and the import applies the same
rules as the pages."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.core.errors import Invalid
from qorgau.core.importing import ImportRejected
from qorgau.reference.models import Article, ArticlePart, Body, BodyKind, Region
from qorgau.registry import csvio, lifecycle, services
from qorgau.registry.choices import CaseStatus
from qorgau.registry.forms import StatusForm
from qorgau.registry.limits import SUMMARY_MAX
from qorgau.registry.models import Case, Report
from tests.fixtures import SYSTEM, local

pytestmark = pytest.mark.django_db

IN_FORCE = dt.date(2025, 9, 16)  # articles 115-1 and 125-1


def error_of(body: str, field: str) -> str:
    """The error shown next to ``field`` (GOV.UK's error message of its form group), or ""."""
    found = re.search(
        rf'<p class="govuk-error-message" id="id_{field}_error">(.*?)</p>', body, re.S
    )
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def summary_items(body: str) -> list[str]:
    """The links of the error summary above the form."""
    box = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', body, re.S)
    return re.findall(r"<li>", box.group(1)) if box else []


@pytest.fixture
def staff(client, admin_user, login):
    """A national administrator in English (a national scope offers every region's bodies)."""
    login(client, admin_user)
    client.cookies["django_language"] = "en"
    return client


def report_data(**changes):
    shymkent = Region.objects.get(code="KZ-79")
    data = {
        "received_at": "2026-01-10T10:00",
        "channel": "call_102",
        "receiving_body": Body.objects.get(code="POL-79").pk,
        "region": shymkent.pk,
        "summary": "A neighbour reported repeated threats.",
    }
    return {**data, **changes}


def test_a_report_dated_before_the_offences_existed_is_refused_next_to_its_date(staff):
    response = staff.post(
        reverse("registry:report_new"), report_data(received_at="2020-01-01T10:00")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "in force since 2025-09-16" in error_of(body, "received_at")
    assert 'value="2020-01-01T10:00"' in body  # what was typed is kept
    assert not Report.objects.exists()


def test_a_report_about_an_article_is_not_dated_before_that_article(staff):
    article = Article.objects.get(code="115-1")
    data = report_data(received_at="2025-09-15T23:00", suggested_article=article.pk)
    body = staff.post(reverse("registry:report_new"), data).content.decode()
    assert "Article 115-1 is in force since 2025-09-16" in error_of(body, "received_at")


def test_a_report_dated_tomorrow_is_refused(staff):
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = staff.post(reverse("registry:report_new"), report_data(received_at=tomorrow))
    assert response.status_code == 400
    assert "cannot be in the future" in error_of(response.content.decode(), "received_at")
    assert not Report.objects.exists()


def test_almaty_police_cannot_receive_a_shymkent_report(staff):
    almaty_police = Body.objects.get(code="POL-75")
    response = staff.post(
        reverse("registry:report_new"), report_data(receiving_body=almaty_police.pk)
    )
    assert response.status_code == 400
    message = error_of(response.content.decode(), "receiving_body")
    assert "Almaty city Police Department is a body of another region" in message
    assert "Shymkent" in message
    assert not Report.objects.exists()


def test_a_national_body_may_receive_a_report_of_any_region(staff):
    national = Body.objects.create(
        code="NAT-TEST", kind=BodyKind.PROSECUTOR, region=None,
        name_kk="Бас прокуратура", name_ru="Генеральная прокуратура", name_en="General Prosecutor",
    )  # fmt: skip
    response = staff.post(reverse("registry:report_new"), report_data(receiving_body=national.pk))
    assert response.status_code == 302
    assert Report.objects.get().receiving_body == national


def test_a_200000_character_summary_is_refused_by_the_form_and_by_the_service(staff):
    long_text = "threats " * 25_000  # 200,000 characters
    response = staff.post(reverse("registry:report_new"), report_data(summary=long_text))
    assert response.status_code == 400
    assert "at most 4000 characters" in error_of(response.content.decode(), "summary")
    shymkent = Region.objects.get(code="KZ-79")
    with translation.override("en"), pytest.raises(Invalid) as refused:
        services.create_report(
            SYSTEM, shymkent, received_at=local(2026, 1, 10, 10, 0), channel="call_102",
            receiving_body=Body.objects.get(code="POL-79"), summary=long_text,
        )  # fmt: skip
    assert [field for field, _message in refused.value.problems] == ["summary"]
    assert "at most 4,000 characters; it has 200,000" in str(refused.value)
    assert not Report.objects.exists()


def test_every_error_of_the_report_form_is_shown_at_once_next_to_its_field(staff):
    data = report_data(
        received_at="2020-01-01T10:00",
        receiving_body=Body.objects.get(code="POL-75").pk,
        summary="x" * (SUMMARY_MAX + 1),
    )
    response = staff.post(reverse("registry:report_new"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert error_of(body, "received_at") and error_of(body, "receiving_body")
    assert error_of(body, "summary")
    assert len(summary_items(body)) == 3  # one summary link per error
    assert 'value="2020-01-01T10:00"' in body


def test_the_service_refuses_with_every_problem_at_once():
    shymkent = Region.objects.get(code="KZ-79")
    with translation.override("en"), pytest.raises(Invalid) as refused:
        services.create_report(
            SYSTEM, shymkent, received_at=local(2020, 1, 1, 10, 0), channel="call_102",
            receiving_body=Body.objects.get(code="POL-75"), summary="",
        )  # fmt: skip
    assert [field for field, _message in refused.value.problems] == [
        "received_at",
        "receiving_body",
        "summary",
    ]


def test_a_case_registered_with_three_wrong_values_shows_three_errors(staff):
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "region": Region.objects.get(code="KZ-79").pk,
        "article_part": ArticlePart.objects.get(article__code="115-1", number=1).pk,
        "registered_at": tomorrow,
        "investigating_body": Body.objects.get(code="POL-75").pk,
        "victim_sex": "F", "victim_age_band": "18-24", "suspect_sex": "M",
        "relationship": "nonsense",
    }  # fmt: skip
    response = staff.post(reverse("registry:case_new"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "future" in error_of(body, "registered_at")
    assert "another region" in error_of(body, "investigating_body")
    assert error_of(body, "relationship")
    assert len(summary_items(body)) == 3
    assert f'value="{tomorrow}"' in body
    assert not Case.objects.exists()


def test_a_99_month_extension_is_refused_naming_the_maximum_and_its_source(staff, make_case):
    case = make_case(registered_at=local(2026, 1, 10, 10, 0))
    url = reverse("registry:case_extend", args=[case.number])
    data = {"amount": "99", "unit": "months", "authorised_by": "Regional prosecutor",
            "reason": "Expert examinations pending."}  # fmt: skip
    response = staff.post(url, data)
    body = response.content.decode()
    message = error_of(body, "amount")
    assert response.status_code == 400
    assert "at most 12 months" in message and "CPC RK art. 192" in message
    assert "2027-01-10" in message  # the latest end for this case
    assert 'value="99"' in body
    case.refresh_from_db()
    assert case.extensions.count() == 0 and case.term_ends_on == dt.date(2026, 2, 10)


def test_an_extension_within_the_maximum_is_recorded(staff, make_case):
    case = make_case(registered_at=local(2026, 1, 10, 10, 0))
    url = reverse("registry:case_extend", args=[case.number])
    data = {"amount": "2", "unit": "months", "authorised_by": "Regional prosecutor",
            "reason": "Expert examinations pending."}  # fmt: skip
    assert staff.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.term_ends_on == dt.date(2026, 4, 10)  # a misdemeanour: 1 month + 2


def test_a_case_from_a_shymkent_report_cannot_be_given_an_almaty_body(staff):
    report = services.create_report(
        SYSTEM, Region.objects.get(code="KZ-79"), received_at=local(2026, 1, 10, 10, 0),
        channel="call_102", receiving_body=Body.objects.get(code="POL-79"), summary="Threats.",
    )  # fmt: skip
    url = reverse("registry:report_register", args=[report.pk])
    data = {
        "article_part": ArticlePart.objects.get(article__code="115-1", number=1).pk,
        "registered_at": "2020-01-01T10:00",
    }
    response = staff.post(url, data)
    assert response.status_code == 400
    assert "in force since 2025-09-16" in error_of(response.content.decode(), "registered_at")


# --- The status form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, ground",
    [
        (CaseStatus.INVESTIGATION, ""),
        (CaseStatus.SUSPENDED, "suspect_unknown"),
        (CaseStatus.TERMINATED, "no_corpus_delicti"),
        (CaseStatus.SENT_TO_COURT, ""),
    ],
)
def test_the_status_form_offers_only_the_statuses_that_may_follow(make_case, status, ground):
    case = make_case()
    if status != CaseStatus.INVESTIGATION:
        lifecycle.transition(SYSTEM, case, status, ground=ground)
    form = StatusForm(case=case)
    offered = [value for value, _label in form.fields["to_status"].choices if value]
    assert offered == lifecycle.allowed_next(case.status)
    grouped = {str(label): [v for v, _l in options] for label, options in
               form.fields["ground"].choices if isinstance(options, list)}  # fmt: skip
    labels = dict(CaseStatus.choices)
    expected = {str(labels[s]): [v for v, _l in lifecycle.grounds_for(s)] for s in offered
                if lifecycle.grounds_for(s)}  # fmt: skip
    assert grouped == expected


def test_a_ground_of_another_status_is_refused_next_to_the_grounds(staff, make_case):
    case = make_case()
    url = reverse("registry:case_status", args=[case.number])
    response = staff.post(url, {"to_status": "terminated", "ground": "suspect_unknown",
                                "reason": "typed reason"})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose a ground of “terminated”" in error_of(body, "ground")
    assert "typed reason" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATION


def test_a_status_that_may_not_follow_is_not_a_choice(staff, make_case):
    case = make_case()
    lifecycle.transition(SYSTEM, case, CaseStatus.SENT_TO_COURT)
    url = reverse("registry:case_status", args=[case.number])
    response = staff.post(url, {"to_status": "terminated", "ground": "no_event"})
    assert response.status_code == 400
    assert "Select a valid choice" in error_of(response.content.decode(), "to_status")
    case.refresh_from_db()
    assert case.status == CaseStatus.SENT_TO_COURT


def test_the_status_form_renders_whole_with_its_grouped_grounds_and_script(make_case):
    case = make_case()
    with translation.override("en"):
        rendered = str(StatusForm(case=case))
    assert 'data-grounds-for="id_to_status"' in rendered
    assert 'data-status="terminated"' in rendered and 'data-status="suspended"' in rendered
    assert "registry/status.mjs" in rendered and 'type="module"' in rendered
    assert 'value="joined"' in rendered and 'value="sent_to_court"' in rendered


# --- The import applies the same rules ------------------------------------------------------

HEADER = "number,article,part,region,registered_at,status,investigating_body\n"


def test_the_import_refuses_a_date_before_the_article_and_another_regions_body():
    rows = (
        ",115-1,1,KZ-79,2020-01-01T10:00:00+05:00,investigation,POL-79\n"
        ",115-1,1,KZ-79,2026-01-08T10:00:00+05:00,investigation,POL-75\n"
    )
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        csvio.import_cases(SYSTEM, HEADER + rows)
    found = [(e.row, e.column) for e in rejected.value.errors]
    assert found == [(2, "registered_at"), (3, "investigating_body")]
    assert "in force since 2025-09-16" in rejected.value.errors[0].reason
    assert not Case.objects.exists()


# --- The date rule, for any date ------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_is_accepted_exactly_from_the_entry_into_force_to_today(day):
    problems = services.date_problems("received_at", day)
    assert (not problems) == (IN_FORCE <= day <= timezone.localdate())
    assert all(field == "received_at" for field, _message in problems)


def test_a_status_reason_and_a_decision_note_are_bounded_in_the_service(make_case):
    case = make_case()
    with translation.override("en"), pytest.raises(Invalid) as refused:
        lifecycle.transition(SYSTEM, case, CaseStatus.SENT_TO_COURT, reason="x" * 2001)
    assert refused.value.field == "reason" and "at most 2,000 characters" in str(refused.value)
    report = case.reports.first() or services.create_report(
        SYSTEM, case.region, received_at=local(2026, 1, 10, 10, 0), channel="call_102",
        receiving_body=Body.objects.get(code="POL-79"), summary="Threats.",
    )  # fmt: skip
    with translation.override("en"), pytest.raises(Invalid) as refused:
        lifecycle.decide(SYSTEM, report, "sent_elsewhere", note="y" * 1001)
    assert refused.value.field == "note"
    case.refresh_from_db()
    report.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATION and report.decision == "pending"
