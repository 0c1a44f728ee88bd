"""Case numbers: unique and without gaps per region and year."""

import pytest

from qorgau.core.errors import Conflict, Invalid
from qorgau.registry import numbering
from qorgau.registry.models import Case
from tests.fixtures import local

pytestmark = pytest.mark.django_db


def test_numbers_run_per_region_and_year(make_case):
    a = make_case(region="KZ-79", registered_at=local(2025, 12, 31, 23, 30))
    b = make_case(region="KZ-79", registered_at=local(2026, 1, 1, 0, 30))
    c = make_case(region="KZ-79", registered_at=local(2026, 1, 2, 9, 0))
    d = make_case(region="KZ-71", registered_at=local(2026, 1, 2, 9, 0))
    assert [a.number, b.number, c.number, d.number] == [
        "2025-79-000001", "2026-79-000001", "2026-79-000002", "2026-71-000001"]  # fmt: skip


def test_year_is_the_local_year_of_registration(make_case):
    # 2025-12-31 20:30 UTC is already 2026-01-01 01:30 in Kazakhstan (UTC+5).
    import datetime as dt

    case = make_case(registered_at=dt.datetime(2025, 12, 31, 20, 30, tzinfo=dt.UTC))
    assert case.number.startswith("2026-79-")


def test_failed_registration_gives_its_number_back(make_case):
    make_case()
    with pytest.raises(Invalid):
        # Fails after the number was taken (party data is checked inside the transaction).
        from qorgau.registry.services import PartyData

        make_case(parties=[PartyData(role="victim", relationship="spouse")])
    assert make_case().number == "2026-79-000002"


def test_supplied_number_in_system_format_must_be_the_next(make_case):
    # A supplied number that jumps ahead would leave a gap (it used to move the sequence on).
    with pytest.raises(Conflict):
        make_case(number="2026-79-000010")
    make_case(number="2026-79-000001")
    assert make_case().number == "2026-79-000002"


def test_supplied_number_must_match_region_and_year(make_case):
    with pytest.raises(Invalid):
        make_case(region="KZ-71", number="2026-79-000010")
    assert not Case.objects.exists()


def test_external_numbers_are_kept_as_they_are(make_case):
    case = make_case(number="261500031000123")
    assert case.number == "261500031000123" and case.number_seq is None
    with pytest.raises(Conflict):
        make_case(number="261500031000123")


def test_number_format_round_trips():
    assert numbering.parse_number("2026-79-000023") == (2026, "KZ-79", 23)
    assert numbering.parse_number("79-2026-23") is None
