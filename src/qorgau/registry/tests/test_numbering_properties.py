"""Gapless numbering (Hypothesis): for any sequence of registrations, registrations that fail
after taking their number, imports and refused imports — across regions and across New Year in
Kazakhstan time (where the UTC year is still the old one) — the numbers of every (region, year)
are exactly 1..n, each written as its year, region and position, and the sequence's last value is
n, so the next registration gets n + 1."""

import collections
import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qorgau.core.errors import QorgauError
from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import csvio, numbering, services
from qorgau.registry.choices import Channel
from qorgau.registry.models import Case, CaseNumberSequence
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=ALMATY)
REGIONS = ["KZ-79", "KZ-71"]
# New Year in Kazakhstan: 00:30 on 1 January is still 31 December (19:30) in UTC.
BOUNDARY = [
    dt.datetime(2025, 12, 31, 23, 30, tzinfo=ALMATY),
    dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=ALMATY),
    dt.datetime(2026, 1, 1, 0, 0, tzinfo=ALMATY),
    dt.datetime(2026, 1, 1, 0, 30, tzinfo=ALMATY),
]
MOMENTS = st.sampled_from(BOUNDARY) | st.datetimes(
    min_value=dt.datetime(2025, 9, 16), max_value=dt.datetime(2026, 6, 30)
).map(lambda d: d.replace(microsecond=0, tzinfo=ALMATY))
REGISTRATION = st.tuples(st.sampled_from(REGIONS), MOMENTS)
OPERATIONS = st.one_of(
    st.tuples(st.just("register"), REGISTRATION),
    st.tuples(st.just("fail_inside"), REGISTRATION),  # refused by the service after numbering
    st.tuples(st.just("fail_after"), REGISTRATION),  # the caller's transaction fails afterwards
    st.tuples(st.just("import"), st.lists(REGISTRATION, min_size=1, max_size=4)),
    st.tuples(st.just("refused_import"), st.lists(REGISTRATION, min_size=1, max_size=3)),
)


class Boom(Exception):
    """A failure of the caller after the registration returned."""


def register(region_code: str, moment: dt.datetime, **extra) -> Case:
    return services.register_case(
        SYSTEM,
        Region.objects.get(code=region_code),
        article_part=ArticlePart.objects.get(article__code="115-1", number=1),
        registered_at=moment,
        **extra,
    )


def import_file(rows, *, bad_row: bool = False) -> None:
    out = io.StringIO()
    out.write("article,part,region,registered_at,status\n")
    for region_code, moment in rows:
        out.write(f"115-1,1,{region_code},{moment.isoformat()},investigation\n")
    if bad_row:
        out.write(f"115-1,9,{rows[0][0]},{rows[0][1].isoformat()},investigation\n")  # no part 9
    csvio.import_cases(SYSTEM, out.getvalue())


def run(operation, foreign_report) -> None:
    kind, argument = operation
    if kind == "register":
        register(*argument)
    elif kind == "fail_inside":
        # A report of another region cannot open the case: refused once the number is taken.
        with pytest.raises(QorgauError):
            register(*argument, reports=[foreign_report(argument[0])])
    elif kind == "fail_after":
        with pytest.raises(Boom), transaction.atomic():
            register(*argument)
            raise Boom
    elif kind == "import":
        import_file(argument)
    else:
        with pytest.raises(QorgauError):
            import_file(argument, bad_row=True)


def assert_gapless() -> None:
    sequences = collections.defaultdict(list)
    for case in Case.objects.select_related("region"):
        year = timezone.localtime(case.registered_at).year  # Kazakhstan's year, not UTC's
        assert case.number_year == year
        assert case.number == numbering.format_number(year, case.region, case.number_seq)
        sequences[(case.region_id, year)].append(case.number_seq)
    for numbers in sequences.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    last = {
        (s.region_id, s.year): s.last_value
        for s in CaseNumberSequence.objects.all()
        if s.last_value
    }
    assert last == {key: len(numbers) for key, numbers in sequences.items()}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=10))
def test_numbers_of_each_region_and_year_are_one_to_n_whatever_happens(operations):
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        reports = {}

        def foreign_report(region_code):
            other = Region.objects.exclude(code=region_code).first()
            if other.code not in reports:
                reports[other.code] = services.create_report(
                    SYSTEM, other, received_at=NOW - dt.timedelta(days=1),
                    channel=Channel.values[0], receiving_body=Body.objects.filter(region=other).first(),
                    summary="A report (test).",
                )  # fmt: skip
            return reports[other.code]

        for operation in operations:
            run(operation, foreign_report)
            assert_gapless()
        transaction.set_rollback(True)
