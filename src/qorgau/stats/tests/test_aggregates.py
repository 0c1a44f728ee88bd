"""The statistics' aggregates stay exact: after every kind of write through the services, after
an administrator's edits and deletions, and under concurrent writers on PostgreSQL; a corrupted
row is reported by ``qorgau stats-verify``; local-date filters are ranges on the instant."""

import datetime as dt
import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import lifecycle
from qorgau.registry import services as registry
from qorgau.registry.choices import AgeBand, CaseStatus, Channel, Decision, PartyRole, Sex
from qorgau.registry.filters import day_start as registry_day_start
from qorgau.registry.models import Case, Party
from qorgau.stats import aggregates, services
from qorgau.stats.models import CaseCount, PartyCount, ReportCount
from tests.fixtures import SYSTEM, make_user

UTC = dt.UTC
VICTIM_F = registry.PartyData(PartyRole.VICTIM, Sex.FEMALE, AgeBand.AGE_25_34)
VICTIM_UNKNOWN = registry.PartyData(PartyRole.VICTIM)
SUSPECT = registry.PartyData(PartyRole.SUSPECT, Sex.MALE, AgeBand.AGE_35_44, relationship="spouse")


def _register(region="KZ-79", article="115-1", at=None, parties=()):
    region_obj = Region.objects.get(code=region)
    return registry.register_case(
        SYSTEM,
        region_obj,
        article_part=ArticlePart.objects.get(article__code=article, number=1),
        registered_at=at or dt.datetime(2026, 1, 10, 5, 0, tzinfo=UTC),
        investigating_body=Body.objects.filter(region=region_obj).first(),
        parties=list(parties),
    )


def _report(region="KZ-79", at=None):
    region_obj = Region.objects.get(code=region)
    return registry.create_report(
        SYSTEM,
        region_obj,
        received_at=at or dt.datetime(2026, 1, 9, 12, 0, tzinfo=UTC),
        channel=Channel.CALL_102,
        receiving_body=Body.objects.filter(region=region_obj).first(),
        summary="A call about a threat.",
    )


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_aggregates_exact():
    boundary = _register(at=dt.datetime(2026, 2, 1, 18, 30, tzinfo=UTC), parties=[VICTIM_F])
    late = _register("KZ-75", "125-1", dt.datetime(2026, 1, 10, 19, 30, tzinfo=UTC))
    plain = _register(parties=[VICTIM_UNKNOWN, VICTIM_F, SUSPECT])
    assert aggregates.verify() == []
    assert CaseCount.objects.filter(region__code="KZ-75", day=dt.date(2026, 1, 11)).exists()
    assert PartyCount.objects.get(grain="d", dim="victim", day=dt.date(2026, 1, 10)).parties == 2
    # The month over all articles counts the same victims.
    assert PartyCount.objects.get(grain="M", dim="victim", day=dt.date(2026, 1, 1)).parties == 2

    registry.add_party(SYSTEM, late, SUSPECT)
    victim = registry.add_party(SYSTEM, late, VICTIM_UNKNOWN)
    registry.update_party(SYSTEM, victim, VICTIM_F)
    lifecycle.transition(SYSTEM, plain, CaseStatus.TERMINATED, reason="r", ground="no_complaint")
    registry.requalify(
        SYSTEM, boundary, ArticlePart.objects.get(article__code="125-1", number=1), reason="r"
    )
    report = _report()
    lifecycle.decide(SYSTEM, report, Decision.NO_OFFENCE, note="n")
    assert aggregates.verify() == []

    # An administrator's edits and deletions (the admin saves the models directly).
    plain.refresh_from_db()
    plain.region = Region.objects.get(code="KZ-71")
    plain.registered_at = dt.datetime(2025, 12, 31, 20, 0, tzinfo=UTC)
    plain.investigating_body = None
    plain.save()
    Party.objects.filter(case=plain, role=PartyRole.VICTIM).order_by("id").first().delete()
    report.delete()
    late.delete()
    # Around the change of offset: 2024-02-29 18:30 UTC is 23:30 on the 29th at UTC+5.
    Case.objects.filter(pk=boundary.pk).update(
        registered_at=dt.datetime(2024, 2, 29, 18, 30, tzinfo=UTC)
    )
    assert aggregates.verify() == []
    assert CaseCount.objects.get(grain="d", article__code="125-1", n=1).day == dt.date(2024, 2, 29)
    by_status = services.counts_by(SYSTEM, services.Filters(), "status")
    assert {r["key"]: r["count"] for r in by_status} == {"investigation": 1, "terminated": 1}
    assert services.report_count(SYSTEM, services.Filters()) == 0


@pytest.mark.django_db
def test_stats_verify_reports_a_corrupted_row_and_rebuild_repairs_it():
    _register(parties=[VICTIM_F])
    out = io.StringIO()
    call_command("stats-verify", stdout=out)
    assert out.getvalue().strip() == "0 differences"

    CaseCount.objects.filter(grain="d").update(n=5)
    PartyCount.objects.filter(grain="M", dim="victim_sex").delete()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("stats-verify", stdout=out)
    assert exit_.value.code == 1
    lines = out.getvalue().strip().splitlines()
    region = Region.objects.get(code="KZ-79").pk
    assert any(
        line.startswith(f"stats_casecount grain=d article_id=1 day=2026-01-10 region_id={region} ")
        and line.endswith("status=investigation termination_ground=: expected n=1 actual n=5")
        for line in lines
    ), lines
    assert any(
        line.startswith(
            "stats_partycount grain=M article_id=0 dim=victim_sex value=F day=2026-01-01 "
        )
        and line.endswith(": expected cases=1 parties=1 actual cases=0 parties=0")
        for line in lines
    )
    assert lines[-1] == "2 differences"

    out = io.StringIO()
    call_command("stats-verify", "--rebuild", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "0 differences"


def test_a_local_day_starts_at_kazakhstan_midnight_at_either_offset():
    """The aggregates' rule (UTC+6, then UTC+5 from 2024-03-01) agrees with the time-zone
    database on every day from 2005 to 2030."""
    day = dt.date(2005, 1, 1)
    while day < dt.date(2031, 1, 1):
        assert aggregates.day_start(day) == registry_day_start(day), day
        day += dt.timedelta(days=1)
    assert aggregates.day_start(dt.date(2024, 3, 1)) - aggregates.day_start(
        dt.date(2024, 2, 29)
    ) == dt.timedelta(hours=25)


@pytest.mark.django_db
def test_local_date_filters_are_ranges_on_the_instant():
    sql = str(services.cases(SYSTEM, services.Filters((), dt.date(2026, 1, 1))).query)
    assert 'registered_at" >=' in sql and "AT TIME ZONE" not in sql and "django_datetime" not in sql


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_cases(client, login):
    login(client, make_user("analyst_q", "analyst"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stats/").status_code == 200
        return len(captured)

    def register(month: int) -> None:
        for day in range(1, 25):
            at = dt.datetime(2025, month, day, 6, tzinfo=UTC)
            region = ("KZ-79", "KZ-75", "KZ-71")[day % 3]
            _register(region, ("115-1", "125-1")[day % 2], at, [VICTIM_F, SUSPECT])
            _report(region, at)

    register(10)
    few = queries()
    register(11)
    register(12)
    assert queries() == few


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_leave_the_aggregates_exact(on_postgres):
    """Eight threads register cases, add and change parties, change statuses and take
    decisions on reports at the same time for a few seconds; the aggregates stay exact."""
    errors = []
    stop = time.monotonic() + 6
    regions = ["KZ-79", "KZ-75", "KZ-71"]

    def write(n):
        try:
            i = 0
            while time.monotonic() < stop:
                at = timezone.now() - dt.timedelta(days=(n * 7 + i) % 40, hours=n)
                case = _register(regions[(n + i) % 3], ("115-1", "125-1")[i % 2], at, [VICTIM_F])
                registry.add_party(SYSTEM, case, SUSPECT)
                # Two writers add parties to the same (shared) case.
                with transaction.atomic():
                    shared = Case.objects.order_by("id").first()
                    registry.add_party(SYSTEM, shared, VICTIM_UNKNOWN if n % 2 else VICTIM_F)
                if i % 3 == 0:
                    lifecycle.transition(SYSTEM, case, CaseStatus.SUSPENDED, reason="r",
                                         ground="suspect_unknown")  # fmt: skip
                report = _report(regions[i % 3], at)
                if i % 2:
                    lifecycle.decide(SYSTEM, report, Decision.REGISTERED, note="n")
                i += 1
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    _register(parties=[VICTIM_F])
    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Case.objects.count() > 8  # every writer registered (a loaded machine: few)
    assert aggregates.verify() == []
    assert services.case_count(SYSTEM, services.Filters()) == Case.objects.count()
    assert ReportCount.objects.exists()
