"""A control-list item tells whether it is a case (the template links a case or a report)."""

import datetime as dt

import pytest

from qorgau.oversight.deadlines import Item
from qorgau.reference.models import Body, Region
from qorgau.registry import services
from tests.fixtures import SYSTEM, local

pytestmark = pytest.mark.django_db


def test_an_item_is_a_case_exactly_when_it_holds_one(make_case):
    report = services.create_report(
        SYSTEM, Region.objects.get(code="KZ-79"), received_at=local(2026, 1, 10, 9, 0),
        channel="written", receiving_body=Body.objects.get(code="POL-79"), summary="…",
    )  # fmt: skip
    case = make_case()
    assert Item("late", "case", case, dt.date(2026, 3, 10), 1).is_case
    assert not Item("late", "report", report, local(2026, 1, 11, 9, 0), 1).is_case
