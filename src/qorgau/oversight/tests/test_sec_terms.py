"""Security review, finding 11 (term extensions): an extension is bounded by the longest term the
law allows, kept in the legal rules (reference.rules) with its source; an absurd length is refused with a
message next to the field, never an HTTP 500, and never takes a case off deadline control."""

import datetime as dt

import pytest
from django.urls import reverse

from qorgau.core.errors import Invalid
from qorgau.reference import rules
from qorgau.reference.models import DeadlineRule
from qorgau.registry import lifecycle, services
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db


def extend(case, **kwargs):
    return services.extend_term(
        SYSTEM, case, authorised_by="regional prosecutor", reason="expertise", **kwargs
    )


def test_the_longest_term_is_rule_data_with_its_legal_source():
    for category in ("crime", "misdemeanour"):
        rule = DeadlineRule.objects.get(kind="investigation_term", category=category)
        assert (rule.max_amount, rule.unit) == (12, "months")
        assert "192" in rule.max_legal_source


@pytest.mark.parametrize(
    "amount, unit", [(100_000, "days"), (3_000_000, "days"), (100_000, "months")]
)
def test_extension_past_the_legal_maximum_is_refused_and_the_case_stays_on_control(
    make_case, amount, unit
):
    case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    with pytest.raises(Invalid) as info:
        extend(case, amount=amount, unit=unit)
    assert info.value.field == "amount" and "2027-01-10" in str(info.value)
    case.refresh_from_db()
    assert case.term_ends_on == dt.date(2026, 3, 10) and not case.extensions.exists()


def test_extensions_up_to_the_maximum_are_accepted_and_one_day_more_is_refused(make_case):
    case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    extend(case, amount=4, unit="months")
    extend(case, amount=6, unit="months")  # 2 + 4 + 6 = 12 months
    assert case.term_ends_on == dt.date(2027, 1, 10)
    with pytest.raises(Invalid):
        extend(case, amount=1, unit="days")
    with pytest.raises(Invalid):
        extend(case, new_end=dt.date(2027, 1, 11))


def test_time_suspended_does_not_count_toward_the_maximum(make_case):
    case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    lifecycle.transition(
        SYSTEM, case, "suspended", ground="suspect_hiding", at=local(2026, 2, 1, 10, 0)
    )
    lifecycle.transition(
        SYSTEM, case, "investigation", reason="found", at=local(2026, 2, 21, 10, 0)
    )
    case.refresh_from_db()
    assert rules.case_term_limit(case) == dt.date(2027, 1, 30)  # 12 months + 20 days
    extend(case, new_end=dt.date(2027, 1, 30))
    with pytest.raises(Invalid):
        extend(case, amount=1, unit="days")


def test_absurd_extension_through_the_page_gives_a_form_error_not_a_500(client, login, make_case):
    case = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))
    login(client, make_user("investigator_shymkent", "investigator", "KZ-79"))
    url = reverse("registry:case_extend", args=[case.number])
    for amount, unit in [(3_000_000, "days"), (100_000, "months"), (2_147_483_648, "days")]:
        response = client.post(
            url,
            {"amount": amount, "unit": unit, "authorised_by": "city prosecutor", "reason": "x"},
        )
        assert response.status_code in (200, 400)  # the form page again, never a 500
        assert response.context["form"].errors["amount"]
    assert not case.extensions.exists()


def test_without_a_maximum_in_the_rules_an_extension_past_any_date_is_still_refused(make_case):
    DeadlineRule.objects.filter(kind="investigation_term").update(max_amount=None)
    case = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))
    with pytest.raises(Invalid) as info:
        extend(case, amount=3_000_000, unit="days")
    assert info.value.field == "amount"
    extend(case, amount=100, unit="days")  # no maximum: accepted
