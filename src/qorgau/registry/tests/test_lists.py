"""The case and report lists (registry/filters.py, docs/search.md): filters in the URL, kept
in the pager's and the headers' links; invalid filters answered with a message next to the
field and a 400; sortable columns; counts."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from qorgau.registry import filters
from qorgau.registry.models import Case
from qorgau.registry.tests.test_search import make_report
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrar_shymkent(db):
    return make_user("registrar_shymkent", "registrar", "KZ-79")


def test_filters_stay_in_the_pager_links(client, login, registrar_shymkent, make_case):
    for day in range(55):
        make_case(region="KZ-79", registered_at=local(2026, 1, 1, 10, 0) + dt.timedelta(days=day))
    login(client, registrar_shymkent)
    response = client.get(reverse("registry:case_list"),
                          {"region": "KZ-79", "registered_from": "2026-01-01", "sort": "number"})  # fmt: skip
    page = response.content.decode()
    assert 'class="govuk-pagination"' in page
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', page)
    assert links
    for link in links:
        assert "region=KZ-79" in link and "registered_from=2026-01-01" in link
        assert "sort=number" in link


def test_the_count_says_which_records_of_how_many(client, login, registrar_shymkent, make_case):
    for _ in range(51):
        make_case(region="KZ-79")
    login(client, registrar_shymkent)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("registry:case_list")).content.decode()
    assert "1–50 of 51" in page
    page = client.get(reverse("registry:case_list"), {"page": "2"}).content.decode()
    assert "51–51 of 51" in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"registered_from": "2026-03-01", "registered_to": "2026-02-01"}, "registered_to"),
        ({"region": "KZ-00"}, "region"),
        ({"region": "KZ-71"}, "region"),  # another region is no choice of this registrar
        ({"registered_from": "yesterday"}, "registered_from"),
        ({"status": "open"}, "status"),
        ({"term": "7"}, "term"),
        ({"sort": "password"}, "sort"),
    ],
)
def test_an_invalid_case_filter_is_a_400_with_the_message_next_to_its_field(
    client, login, registrar_shymkent, make_case, params, field
):
    case = make_case(region="KZ-79")
    login(client, registrar_shymkent)
    response = client.get(reverse("registry:case_list"), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    if field != "sort":  # a hidden field's error is in the summary only
        assert f'href="#id_{field}"' in page  # the summary links to the field
        assert re.search(rf'id="id_{field}_error"|id_{field}"[^>]*aria-invalid', page)
    # Neither a silent full list nor results from a filter that was dropped.
    assert f'href="/registry/cases/{case.number}/"' not in page


def test_reversed_report_dates_are_a_400_with_the_message_next_to_the_field(
    client, login, registrar_shymkent
):
    make_report()
    login(client, registrar_shymkent)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("registry:report_list"),
                          {"received_from": "2026-03-01", "received_to": "2026-02-01"})  # fmt: skip
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date." in response.content.decode()


def test_a_nul_byte_in_a_filter_is_refused(client, login, registrar_shymkent):
    login(client, registrar_shymkent)
    assert client.get(reverse("registry:case_list"), {"q": "79\x00"}).status_code == 400


def test_sorting_by_a_column_and_back(client, login, registrar_shymkent, make_case):
    first = make_case(region="KZ-79", registered_at=local(2026, 1, 3, 10, 0))
    second = make_case(region="KZ-79", registered_at=local(2026, 1, 1, 10, 0))
    login(client, registrar_shymkent)
    default = client.get(reverse("registry:case_list")).content.decode()
    assert default.index(first.number) < default.index(second.number)  # newest first
    by_date = client.get(reverse("registry:case_list"), {"sort": "registered"}).content.decode()
    assert by_date.index(second.number) < by_date.index(first.number)
    assert 'aria-sort="ascending"' in by_date
    assert 'href="?sort=-registered"' in by_date  # a second click sorts the other way
    back = client.get(reverse("registry:case_list"), {"sort": "-registered"}).content.decode()
    assert back.index(first.number) < back.index(second.number)


def test_the_header_links_keep_the_filters(client, login, registrar_shymkent, make_case):
    make_case(region="KZ-79")
    login(client, registrar_shymkent)
    page = client.get(reverse("registry:case_list"), {"status": "investigation", "page": "1"})
    assert 'href="?status=investigation&amp;sort=number"' in page.content.decode()


def test_the_old_number_parameter_still_searches(client, login, registrar_shymkent, make_case):
    case = make_case(region="KZ-79")
    other = make_case(region="KZ-79")
    login(client, registrar_shymkent)
    page = client.get(reverse("registry:case_list"), {"number": case.number[-6:]})
    assert case.number in page.content.decode() and other.number not in page.content.decode()


def test_registration_dates_are_kazakhstan_days(make_case):
    # 23:30 in Almaty on 1 February is 18:30 UTC: the case is on the 1st, not the 2nd or
    # (read in UTC) still the 1st by luck.
    late = make_case(region="KZ-79", registered_at=local(2026, 2, 1, 23, 30))
    early = make_case(region="KZ-79", registered_at=local(2026, 2, 2, 0, 30))  # 1 Feb 19:30 UTC
    _fs, cases = filters.filtered_cases(SYSTEM, {"registered_to": "2026-02-01"})
    assert late in cases and early not in cases
    _fs, cases = filters.filtered_cases(SYSTEM, {"registered_from": "2026-02-02"})
    assert list(cases) == [early]


def test_the_term_filter_splits_as_the_control_list_does(make_case):
    due = make_case(region="KZ-79")
    passed = make_case(region="KZ-79")
    later = make_case(region="KZ-79")
    today = timezone.localdate()
    Case.objects.filter(pk=due.pk).update(term_ends_on=today + dt.timedelta(days=7))
    Case.objects.filter(pk=passed.pk).update(term_ends_on=today - dt.timedelta(days=1))
    Case.objects.filter(pk=later.pk).update(term_ends_on=today + dt.timedelta(days=8))
    assert list(filters.filtered_cases(SYSTEM, {"term": "due"})[1]) == [due]
    assert list(filters.filtered_cases(SYSTEM, {"term": "passed"})[1]) == [passed]


def test_overdue_reports_are_those_pending_past_their_decision_deadline():
    with time_machine.travel(local(2026, 3, 10, 12, 0)):
        old = make_report(received_at=local(2026, 3, 8, 9, 0))
        fresh = make_report(received_at=local(2026, 3, 10, 9, 0))
        _fs, overdue = filters.filtered_reports(SYSTEM, {"overdue": "1"})
        assert list(overdue) == [old]
        _fs, pending = filters.filtered_reports(SYSTEM, {"decision": "pending"})
        assert set(pending) == {old, fresh}


def test_a_list_and_filtered_count_the_same(client, login, registrar_shymkent, make_case):
    """The home page counts with ``filtered_cases``; the list it links to shows that many."""
    for _ in range(3):
        make_case(region="KZ-79")
    make_case(region="KZ-71")
    _fs, cases = filters.filtered_cases(registrar_shymkent, {"status": "investigation"})
    login(client, registrar_shymkent)
    response = client.get(reverse("registry:case_list"), {"status": "investigation"})
    assert response.context["page"].paginator.count == cases.count() == 3
