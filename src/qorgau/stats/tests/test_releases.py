"""Public statistics releases (stats.releases): dated, numbered, frozen; corrections with a
revisions table; the disclosure audit over everything published (docs/stats.md, "Releases")."""

import csv
import datetime as dt
import io
import random

import pytest
from django.core.cache import cache
from django.core.management import call_command

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid, NotAllowed
from qorgau.stats import disclosure, releases
from qorgau.stats.models import Release
from tests.fixtures import SYSTEM, local, make_user

REGIONS = ["KZ-79", "KZ-75", "KZ-62", "KZ-71", "KZ-19"]


def month(year: int, m: int) -> releases.Period:
    return releases.period_containing(dt.date(year, m, 1))


def publish_on(period: releases.Period, actor=SYSTEM) -> Release:
    """Publish ``period`` on its publication day at 09:00 Kazakhstan time."""
    day = releases.publication_day(period)
    return releases.publish(actor, period, now=local(day.year, day.month, day.day, 9, 0))


def test_calendar_periods_and_publication_days(settings, db):
    assert month(2026, 2) == releases.Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert releases.publication_day(month(2026, 12)) == dt.date(2027, 1, 10)
    assert releases.parse_period("2026-03") == month(2026, 3)
    with pytest.raises(Invalid):
        releases.parse_period("2026-13")
    settings.RELEASE_CALENDAR = "quarterly"
    quarter = releases.parse_period("2026-Q2")
    assert quarter == releases.Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert quarter.key == "2026-Q2" and releases.publication_day(quarter) == dt.date(2026, 7, 10)
    # The first period holds the earliest entry into force (16 September 2025).
    assert releases.first_period() == releases.Period(dt.date(2025, 7, 1), dt.date(2025, 9, 30))


def test_a_simulated_year_of_monthly_releases_passes_the_disclosure_audit(make_case):
    """The issue's test: monthly releases over a simulated year (with a correction), and the
    audit of all of them together finds every protected cell at least the threshold wide."""
    rng = random.Random(20260916)
    threshold = disclosure.small_count_threshold()
    # October 2025 to September 2026.
    for year, m in [(2025, 10), (2025, 11), (2025, 12), *[(2026, i) for i in range(1, 10)]]:
        for region in REGIONS:
            for article in ("115-1", "125-1"):
                # Small counts on purpose: most cells are 0…6.
                for _i in range(rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 7])):
                    day = rng.randint(1, 28)
                    make_case(region=region, article=article, registered_at=local(year, m, day, 10))
        publish_on(month(year, m))
    # A late registration of March, learnt in May: March is corrected.
    make_case(region="KZ-62", article="125-1", registered_at=local(2026, 3, 30, 12))
    march = Release.objects.get(period_start=dt.date(2026, 3, 1))
    corrected = releases.correct(SYSTEM, march.number, "A case registered late in KZ-62.")
    assert corrected.number == 13 and corrected.revises == march
    assert list(Release.objects.order_by("number").values_list("number", flat=True)) == list(
        range(1, 14)
    )  # gapless
    findings = releases.audit()
    assert len(findings) >= 24  # small counts were protected in most months
    assert {f.cell for f in findings} >= {disclosure.small_label(threshold)}
    unsafe = [f for f in findings if not f.safe]
    assert unsafe == []
    for f in findings:
        assert f.high - f.low + 1 >= threshold
    # The command reports the same, in its fixed format, and exits 0.
    out = io.StringIO()
    call_command("release", "audit", stdout=out)
    assert out.getvalue().strip().endswith(f"{len(findings)} protected cells, 0 unsafe")


def test_the_audit_finds_a_table_that_gives_a_small_count_away(table_release):
    """The audit can fail: a table that hides only the small count and shows the total (the
    naive rule) lets the small count be read back."""
    naive = table_release(1, {"125-1": {"A": "<4", "B": "10", "C": "0"}}, {"125-1": "12"})
    (finding,) = releases.audit([naive])
    assert (finding.low, finding.high, finding.safe) == (2, 2, False)
    # And across releases: a second release whose revision amount pins a hidden cell.
    february = {"period_start": dt.date(2026, 2, 1), "period_end": dt.date(2026, 2, 28)}
    safe = table_release(2, {"125-1": {"A": "<4", "B": "*", "C": "9"}}, {"125-1": "*"}, **february)
    assert all(f.safe for f in releases.audit([safe]))
    fixed = table_release(
        3, {"125-1": {"A": "<4", "B": "5", "C": "9"}}, {"125-1": "16"}, revises=safe, **february
    )
    pinned = {(f.release, f.region): f for f in releases.audit([safe, fixed])}
    assert not pinned[(3, "A")].safe  # 16 − 5 − 9 = 2
    assert pinned[(2, "B")].safe  # the revision gives no amount for a hidden cell


def test_random_tables_protected_by_the_rule_pass_the_audit(table_release):
    """Many random small tables through the publication rule, audited together."""
    rng = random.Random(7)
    made = []
    regions = [f"R{i}" for i in range(6)]
    for number in range(1, 121):
        counts = {
            a: {r: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15]) for r in regions}
            for a in ("115-1", "125-1")
        }
        cells, totals = releases.protect(counts, ["115-1", "125-1"], regions, 3)
        made.append(table_release(number, cells, totals))
    findings = releases.audit(made)
    assert len(findings) > 200
    assert [f for f in findings if not f.safe] == []


def test_demonstration_cases_are_never_counted(make_case):
    make_case(region="KZ-79", registered_at=local(2026, 4, 3, 10))
    for _i in range(5):
        make_case(region="KZ-75", registered_at=local(2026, 4, 4, 10), is_demo=True)
    release = publish_on(month(2026, 4))
    assert release.counts["115-1"]["KZ-79"] == 1
    assert release.counts["115-1"]["KZ-75"] == 0
    assert release.cells["115-1"]["KZ-79"] == "<4"


def test_publication_waits_for_the_calendar_and_happens_once(make_case):
    make_case(registered_at=local(2026, 5, 3, 10))
    period = month(2026, 5)
    with pytest.raises(Invalid) as refused:
        releases.publish(SYSTEM, period, now=local(2026, 6, 9, 23, 0))
    assert refused.value.field == "period"
    release = releases.publish(SYSTEM, period, now=local(2026, 6, 10, 0, 30))
    assert release.number == 1
    # The cut-off is the instant the counts were taken; shown in Kazakhstan time.
    assert release.cut_off == local(2026, 6, 10, 0, 30)
    with pytest.raises(Conflict):
        releases.publish(SYSTEM, period, now=local(2026, 6, 11, 9, 0))
    # A correction needs a reason and a change.
    with pytest.raises(Invalid):
        releases.correct(SYSTEM, 1, "  \x00 ")
    with pytest.raises(Conflict):
        releases.correct(SYSTEM, 1, "Nothing changed really.")
    entry = AuditEntry.objects.filter(action="stats.release.publish").get()
    assert entry.after["number"] == 1 and entry.after["digest"] == release.digest


def test_publish_due_catches_up_every_missing_month(make_case):
    make_case(registered_at=local(2025, 10, 3, 10))
    done = releases.publish_due(SYSTEM, now=local(2026, 1, 12, 9, 0))
    # From the month of the earliest entry into force (16 September 2025).
    keys = [f"{r.period_start:%Y-%m}" for r in done]
    assert keys == ["2025-09", "2025-10", "2025-11", "2025-12"]
    assert releases.publish_due(SYSTEM, now=local(2026, 1, 20, 9, 0)) == []


def test_only_national_analysts_and_administrators_publish(make_case):
    make_case(registered_at=local(2026, 5, 3, 10))
    regional = make_user("analyst-kz62", "analyst", region="KZ-62")
    registrar = make_user("registrar-national", "registrar")
    national = make_user("analyst-national", "analyst")
    for user in (regional, registrar):
        with pytest.raises(NotAllowed):
            publish_on(month(2026, 5), Actor.person(user))
        with pytest.raises(NotAllowed):
            releases.run_audit(Actor.person(user))
    assert publish_on(month(2026, 5), Actor.person(national)).number == 1
    assert Release.objects.count() == 1


def test_the_public_page_and_csv_show_the_latest_release_not_live_figures(client, make_case):
    cache.clear()
    assert "No statistics release" in client.get("/en/statistics/").content.decode()
    empty = list(csv.reader(io.StringIO(client.get("/en/statistics.csv").content.decode())))
    assert empty == [["region", "name", "115-1", "125-1", "period_start", "period_end"]]
    # 7 and 1: the hidden cells exceed their least values (4 and 1) by 3, the threshold, so
    # the total is shown (with 6 and 1 it would be withheld).
    for _i in range(7):
        make_case(region="KZ-79", registered_at=local(2026, 3, 3, 10))
    make_case(region="KZ-62", registered_at=local(2026, 3, 4, 10))
    first = publish_on(month(2026, 3))
    # A case registered after the release does not change the published figures.
    make_case(region="KZ-79", registered_at=local(2026, 3, 5, 10))
    cache.clear()
    page = client.get("/en/statistics/").content.decode()
    assert f"Release No. {first.number}" in page and "2026-03-01" in page and "2026-03-31" in page
    rows = list(csv.reader(io.StringIO(client.get("/en/statistics.csv").content.decode())))
    assert rows[0] == ["region", "name", "115-1", "125-1", "period_start", "period_end"]
    by_region = {r[0]: r for r in rows[1:]}
    assert by_region["KZ-79"][2] == "*" and by_region["KZ-62"][2] == "<4"
    assert by_region["total"][2] == "8" and by_region["total"][4:] == ["2026-03-01", "2026-03-31"]
    # The correction: a new release with a revisions table; the old one stays in the archive.
    second = releases.correct(SYSTEM, first.number, "One case registered late.")
    cache.clear()
    page = client.get("/en/statistics/").content.decode()
    assert "Revisions" in page and "One case registered late." in page
    revised = {(v.region, v.before, v.after, v.change) for v in releases.revisions(second)}
    assert ("", "8", "9", 1) in revised  # the total, published both times
    assert all(change is None for region, *_x, change in revised if region)  # hidden cells
    archive = client.get("/en/statistics/releases/").content.decode()
    assert "corrected by a later release" in archive and "corrects No. 1" in archive
    old = client.get(f"/en/statistics/releases/{first.number}.csv")
    assert old["X-Qorgau-Release"] == "1" and "\ntotal,,8," in old.content.decode()
    assert client.get("/en/statistics/releases/99/").status_code == 404


def test_a_release_freezes_rates_with_intervals_only_for_published_counts(make_case):
    from qorgau.reference import population
    from qorgau.stats import intervals, rates

    for _i in range(12):
        make_case(region="KZ-79", registered_at=local(2026, 1, 3, 10))
    for _i in range(20):
        make_case(region="KZ-71", registered_at=local(2026, 1, 5, 10))
    make_case(region="KZ-62", registered_at=local(2026, 1, 4, 10))
    release = publish_on(month(2026, 1))
    period = month(2026, 1)
    shown = release.cells["115-1"]
    # One of the two larger counts is hidden with the small one; the other is published.
    (region,) = [r for r in ("KZ-79", "KZ-71") if shown[r].isdigit()]
    entry = release.rates["115-1"][region]
    n = int(shown[region])
    people = {d.region_id: d for d in population.for_period(period.start, period.end).values()}
    from qorgau.reference.models import Region

    denominator = people[Region.objects.get(code=region).pk]
    years = 31 / 365
    assert entry["population"] == round(denominator.population)
    assert entry["rate"] == pytest.approx(n / (denominator.population * years) * 100_000, abs=1e-3)
    low, high = intervals.poisson_interval(n)
    assert entry["low"] == pytest.approx(low / (denominator.population * years) * 1e5, abs=1e-3)
    assert entry["high"] == pytest.approx(high / (denominator.population * years) * 1e5, abs=1e-3)
    assert rates.person_years(period.start, period.end) == pytest.approx(years)
    # A protected count has no rate (it would give the count away).
    assert shown["KZ-62"] == "<4" and release.rates["115-1"]["KZ-62"] is None
    hidden = [code for code, cell in shown.items() if not cell.isdigit()]
    assert len(hidden) == 2 and all(release.rates["115-1"][code] is None for code in hidden)
    # The national rate: the published total over every region's population — none while a
    # region has no population figure (the reference data have 18 of the 20 regions' now).
    national = release.rates["115-1"][""]
    assert release.totals["115-1"] == "33"
    if len(people) < Region.objects.count():
        assert national is None
    else:
        everyone = sum(d.population for d in people.values())
        assert national["rate"] == pytest.approx(33 / (everyone * years) * 1e5, abs=1e-3)


def test_the_command_lists_publishes_and_corrects(make_case):
    make_case(registered_at=local(2025, 10, 3, 10))
    out = io.StringIO()
    call_command("release", "publish", "--period", "2025-10", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("1 2025-10-01..2025-10-31 published=")
    make_case(registered_at=local(2025, 10, 4, 10))
    out = io.StringIO()
    call_command("release", "correct", "1", "--reason", "late case", stdout=out)
    assert out.getvalue().startswith("2 2025-10-01..2025-10-31") and "revises=1" in out.getvalue()
    out = io.StringIO()
    call_command("release", "list", stdout=out)
    assert [line.split()[0] for line in out.getvalue().splitlines()] == ["2", "1"]
