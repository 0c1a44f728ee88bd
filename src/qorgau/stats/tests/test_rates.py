"""Rates and denominators, regional comparison (issue 14, items 4 and 5): the population at the
period's mid-point, annualised rates in a stated unit, the funnel's allowance for
over-dispersion, the map coloured by the funnel's verdict, the year-earlier comparison."""

import datetime as dt
import io
import json
import math
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from qorgau.core.actors import Actor
from qorgau.reference import population
from qorgau.reference.models import PopulationFigure, Region
from qorgau.stats import charts, intervals, rates, services
from tests.fixtures import local, make_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
AUTUMN_2025 = (dt.date(2025, 9, 16), dt.date(2025, 12, 31))  # the articles' first 107 days


def _figure(code: str, day: dt.date, people: int, **extra) -> PopulationFigure:
    return PopulationFigure.objects.create(
        region=Region.objects.get(code=code), reference_date=day, population=people,
        precision="exact", source="test", **extra,
    )  # fmt: skip


# --- Population at the mid-point -----------------------------------------------------------


def test_interpolation_is_exact_on_the_figures_and_linear_between_them():
    akmola = Region.objects.get(code="KZ-11")  # no figure in the reference data
    _figure("KZ-11", dt.date(2025, 1, 1), 780_000)
    _figure("KZ-11", dt.date(2026, 1, 1), 787_300, vintage=dt.date(2026, 2, 2))
    on = population.for_day
    assert on(dt.date(2025, 1, 1))[akmola.pk].population == 780_000
    assert on(dt.date(2025, 1, 1))[akmola.pk].method == population.Method.FIGURE
    assert on(dt.date(2026, 1, 1))[akmola.pk].population == 787_300
    # 2025-07-02 is 182 of the year's 365 days on: 780,000 + 7,300 × 182/365.
    middle = on(dt.date(2025, 7, 2))[akmola.pk]
    assert middle.population == pytest.approx(783_640.0)
    assert middle.method == population.Method.INTERPOLATED and middle.people == 783_640
    assert middle.dates == "2025-01-01–2026-01-01"
    with translation.override("en"):
        assert "vintage 2026-02-02" in middle.sources
    # The calendar year's mid-point is 2 July (the 183rd of 365 days).
    year = population.for_period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))[akmola.pk]
    assert year.on == dt.date(2025, 7, 2) and year.population == middle.population
    # Outside the figures: the nearest one carried flat, and it says so.
    before = on(dt.date(2024, 6, 1))[akmola.pk]
    after = on(dt.date(2026, 6, 1))[akmola.pk]
    assert (before.population, before.method) == (780_000, population.Method.CARRIED_BACK)
    assert (after.population, after.method) == (787_300, population.Method.CARRIED_FORWARD)
    # The official mid-year figure (1 July) is the calendar year's own, not interpolated.
    _figure("KZ-11", dt.date(2025, 7, 1), 784_100)
    year = population.for_period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))[akmola.pk]
    assert (year.population, year.method) == (784_100, population.Method.FIGURE)
    with translation.override("en"):
        assert year.describe() == "figure of 2025-07-01"
        assert before.describe() == "figure of 2025-01-01 carried back (no earlier figure)"
        assert middle.describe() == ("interpolated to 2025-07-02 between 2025-01-01 and 2026-01-01")


def test_a_2025_period_has_a_rate_for_every_region_with_any_population_figure():
    """The issue's case: for 2025-09-16…2025-12-31 the latest figure on or before the period's
    end left 12 regions without a rate and the national rate on 8 of them."""
    start, end = AUTUMN_2025
    figured = set(PopulationFigure.objects.values_list("region__code", flat=True))
    assert len(figured) == 18  # the shipped reference data: none for Akmola and Jetisu
    assert len(population.latest_by_region(end)) == 8  # the old rule's 8 regions
    rows = services.by_region(SYSTEM, services.Filters((), start, end))
    with_rate = {r.region.code for r in rows if r.rate is not None}
    assert with_rate == figured
    assert {r.region.code for r in rows if r.rate is None} == {"KZ-11", "KZ-33"}
    carried_back = {
        r.region.code
        for r in rows
        if r.population and r.population.method == population.Method.CARRIED_BACK
    }
    assert carried_back == {
        "KZ-75",
        "KZ-61",
        "KZ-71",
        "KZ-19",
        "KZ-79",
        "KZ-31",
        "KZ-35",
        "KZ-10",
        "KZ-59",
        "KZ-62",
        "KZ-47",
        "KZ-39",
    }  # fmt: skip  (figures of 2026-01-01, and of 2025-12-01 after the mid-point 2025-11-08)
    assert services.funnel(SYSTEM, services.Filters((), start, end)).compared == 18


def test_mangystau_is_interpolated_between_its_two_sides_when_it_has_both():
    mangystau = Region.objects.get(code="KZ-47")  # 818,345 on 2025-12-01 (shipped)
    _figure("KZ-47", dt.date(2025, 1, 1), 800_000)
    found = population.for_period(*AUTUMN_2025)[mangystau.pk]
    # Mid-point 2025-11-08: 311 of the 334 days from 2025-01-01 to 2025-12-01.
    assert found.on == dt.date(2025, 11, 8)
    assert found.population == pytest.approx(800_000 + 18_345 * 311 / 334)


# --- Annualised rates ------------------------------------------------------------------------


def test_person_years_count_each_calendar_year_by_its_own_length():
    assert rates.person_years(*AUTUMN_2025) == pytest.approx(107 / 365)
    assert rates.person_years(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == 1.0  # leap year
    assert rates.person_years(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == 1.0
    assert rates.person_years(dt.date(2023, 7, 1), dt.date(2024, 6, 30)) == pytest.approx(
        184 / 365 + 182 / 366
    )
    assert rates.person_years(dt.date(2025, 1, 2), dt.date(2025, 1, 1)) == 0.0


def test_a_107_day_rate_is_annualised_in_the_unit_asked(make_case):
    # Ulytau: 218,993 people on 2026-01-01, its only figure (carried back to 2025-11-08).
    for day in (20, 21, 22):
        make_case(region="KZ-62", registered_at=local(2025, 10, day, 10, 0))
    filters = services.Filters(("115-1",), *AUTUMN_2025)
    (ulytau,) = [r for r in services.by_region(SYSTEM, filters) if r.region.code == "KZ-62"]
    assert ulytau.count == 3 and ulytau.years == pytest.approx(107 / 365)
    # 3 ÷ (218,993 × 107/365) × 100,000 = 4.6731… per 100,000 per year
    assert ulytau.rate == pytest.approx(3 / (218_993 * 107 / 365) * 1e5)
    assert ulytau.rate == pytest.approx(4.6731, abs=1e-4)
    low, high = intervals.poisson_interval(3)
    assert ulytau.rate_high == pytest.approx(high / (218_993 * 107 / 365) * 1e5)
    assert ulytau.rate_low == pytest.approx(low / (218_993 * 107 / 365) * 1e5)
    per_10k = services.by_region(SYSTEM, filters, rates.Unit(rates.PER_10K))
    (ulytau_10k,) = [r for r in per_10k if r.region.code == "KZ-62"]
    assert ulytau_10k.rate == pytest.approx(ulytau.rate / 10)
    row = ulytau_10k.as_dict()
    assert row["rate_unit"] == "per 10,000 per year" and row["population"] == 218_993
    assert row["population_date"] == "2025-11-08"
    with translation.override("en"):
        assert rates.Unit(rates.PER_10K).label == "per 10,000 per year"
        assert rates.Unit().label == "per 100,000 per year"


def test_the_rate_period_starts_when_the_articles_came_into_force_and_ends_today(time_machine):
    time_machine.move_to(local(2026, 3, 1, 12, 0), tick=False)
    asked = services.Filters(("115-1",), dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    assert services.rate_period(asked) == (dt.date(2025, 9, 16), dt.date(2026, 3, 1))
    future = services.Filters((), dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    start, end = services.rate_period(future)
    assert end < start and rates.person_years(start, end) == 0.0
    assert all(r.rate is None for r in services.by_region(SYSTEM, future))


# --- Regional comparison ---------------------------------------------------------------------

# A constructed comparison of 18 regions whose rates differ more than Poisson chance allows
# (ratios 0.7–1.3 at every size), a Zhambyl-like region (60 expected, 84 observed) and a real
# outlier (130 expected, 260 observed).
EXPECTED = [12, 18, 25, 30, 36, 42, 50, 55, 60, 66, 72, 80, 90, 100, 110, 120, 130, 60]
RATIOS = [0.7, 1.3, 0.75, 1.25, 0.7, 1.3, 0.75, 1.25, 0.8, 1.2, 0.75, 1.25, 0.8, 1.2, 0.8, 1.2]
OBSERVED = [round(e * r) for e, r in zip(EXPECTED, RATIOS, strict=False)] + [260, 84]
ZHAMBYL, OUTLIER = 17, 16


def _winsorised_phi(observed, expected) -> float:
    """φ written apart: z = 2(√O − √E), the 10% at each end set to the 10th/90th percentile
    (linear between order statistics), mean of the squares."""
    z = [2 * (math.sqrt(o) - math.sqrt(e)) for o, e in zip(observed, expected, strict=True)]
    ordered = sorted(z)

    def quantile(q):
        position = q * (len(ordered) - 1)
        below = math.floor(position)
        fraction = position - below
        return ordered[below] + (ordered[min(below + 1, len(z) - 1)] - ordered[below]) * fraction

    low, high = quantile(0.1), quantile(0.9)
    return sum(min(max(v, low), high) ** 2 for v in z) / len(z)


def _verdicts(dispersion: intervals.Overdispersion | None) -> list[str]:
    points = []
    region = Region.objects.get(code="KZ-31")
    for o, e in zip(OBSERVED, EXPECTED, strict=True):
        limits = dispersion.limits if dispersion else intervals.funnel_limits
        row = services.RegionRow(region, o, None)
        point = services.FunnelPoint(
            row, e, o / e, limits(e, 0.05), limits(e, 0.002), population=e * 1000, rate=o / e
        )
        points.append(point.verdict)
    return points


def test_overdispersion_phi_and_tau_match_a_computation_written_apart():
    phi = _winsorised_phi(OBSERVED, EXPECTED)
    multiplicative = intervals.overdispersion("multiplicative", OBSERVED, EXPECTED)
    assert multiplicative.phi == pytest.approx(phi, rel=1e-12)
    assert multiplicative.compared == 18 and multiplicative.applied
    weights = [4 * e for e in EXPECTED]
    tau2 = (18 * phi - 17) / (sum(weights) - sum(w * w for w in weights) / sum(weights))
    additive = intervals.overdispersion("additive", OBSERVED, EXPECTED)
    assert additive.tau2 == pytest.approx(tau2, rel=1e-12) and additive.applied
    # The multiplicative limits for E = 60: (1 ± 1.96·√φ/(2√60))².
    z = 1.959963984540054
    low, high = multiplicative.limits(60, 0.05)
    assert low == pytest.approx((1 - z * math.sqrt(phi / 240)) ** 2)
    assert high == pytest.approx((1 + z * math.sqrt(phi / 240)) ** 2)
    low, high = additive.limits(60, 0.05)
    assert high == pytest.approx((1 + z * math.sqrt(1 / 240 + tau2)) ** 2)


def test_the_zhambyl_like_region_is_within_the_limits_once_overdispersion_is_allowed():
    poisson = _verdicts(None)
    assert poisson[ZHAMBYL] == "above" and poisson[OUTLIER] == "above"
    assert poisson.count("expected") == 12  # plain Poisson flags 6 of the 18
    for method in ("multiplicative", "additive"):
        dispersion = intervals.overdispersion(method, OBSERVED, EXPECTED)
        verdicts = _verdicts(dispersion)
        assert verdicts[ZHAMBYL] == "expected", method
        assert verdicts[OUTLIER] == "above", method  # a real outlier still stands out
        assert verdicts.count("expected") == 17, method


def test_no_allowance_when_the_regions_agree_with_poisson():
    same = intervals.overdispersion("multiplicative", [10, 20, 30, 40], [10.0, 20.0, 30.0, 40.0])
    assert same.phi == 0 and not same.applied
    assert same.limits(10, 0.05) == intervals.funnel_limits(10, 0.05)
    assert not intervals.overdispersion("additive", [10, 20, 30, 40], [10, 20, 30, 40]).applied


def test_the_funnel_states_the_regions_compared_and_the_allowance(seed):
    filters = services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with translation.override("en"):
        plain = services.funnel(SYSTEM, filters)
        assert plain.compared == 18 and plain.compared_sentence() == "18 regions compared."
        wide = services.funnel(SYSTEM, filters, overdispersion="multiplicative")
        sentence = wide.compared_sentence()
    assert sentence.startswith("18 regions compared. ")
    assert "multiplicative" in sentence or "No over-dispersion" in sentence
    assert wide.national_rate == plain.national_rate
    for narrow, widened in zip(plain.points, wide.points, strict=True):
        if wide.dispersion is not None and wide.dispersion.applied:
            assert widened.limits95[1] >= narrow.limits95[1] * 0.99


# --- The map ---------------------------------------------------------------------------------


def test_the_map_colours_each_region_by_its_verdict_with_a_legend():
    with translation.override("en"):
        labels = {key: str(label) for key, label in services.VERDICT_LABELS.items()}
        svg = charts.verdict_map(
            {"KZ-79": "above", "KZ-62": "expected", "KZ-75": "below", "KZ-11": "no_rate",
             "KZ-71": "not_compared"},
            {key: str(label) for key, label in services.VERDICT_LABELS.items()},
            {"KZ-79": "1.78 per 100,000 per year"},
            {"KZ-79": "Shymkent city", "KZ-62": "Ulytau Region", "KZ-75": "Almaty city",
             "KZ-11": "Akmola Region", "KZ-71": "Astana city"},
            "Map", "© OpenStreetMap contributors",
        )  # fmt: skip
    found = re.findall(r'fill="(#[0-9a-f]{6})" class="region" data-verdict="(\w*)"', svg)
    by_verdict = {verdict: fill for fill, verdict in found if verdict}
    assert by_verdict["above"] == "#3e64ff" and by_verdict["below"] == "#bed2ff"
    assert by_verdict["expected"] == "#ffd500" and by_verdict["no_rate"] == "#b1b4b6"
    assert by_verdict["not_compared"] == "#f3f2f1"
    assert "Shymkent city: above the national rate (1.78 per 100,000 per year)" in svg
    assert "Akmola Region: no rate" in svg
    for text in labels.values():  # the legend names every class
        assert f'class="legend">{text}</text>' in svg


def test_dashboard_shows_the_unit_the_verdicts_and_no_rate(client, seed):
    client.cookies["django_language"] = "en"
    client.force_login(make_user("analyst_kz", "analyst"))
    params = {"articles": "115-1", "date_from": "2025-09-16", "date_to": "2025-12-31"}
    page = client.get("/stats/", {**params, "per": "10000", "overdispersion": "additive"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rate per 10,000 per year" in text and "18 regions compared." in text
    assert "↑ rate per 10,000 per year" in text  # the funnel's vertical axis
    assert 'data-region="KZ-11" data-verdict="no_rate"' in text
    assert re.search(r'data-region="KZ-79" data-verdict="(above|expected|below)"', text)
    assert "carried back (no earlier figure)" in text  # Shymkent's 2026 figure
    export = client.get(
        "/stats/export/regions.csv", {**params, "per": "10000", "header": "labels"}
    ).content.decode("utf-8-sig")
    assert "# rate_unit: per 10,000 per year" in export
    header = next(line for line in export.splitlines() if not line.startswith("#"))
    assert "Rate per 10,000 per year" in header
    funnel = client.get(
        "/stats/export/funnel.csv", {**params, "overdispersion": "multiplicative"}
    ).content.decode()
    assert "# overdispersion: multiplicative" in funnel and ",18,multiplicative" in funnel


# --- Year earlier ----------------------------------------------------------------------------


def test_no_year_earlier_comparison_before_the_offence_existed():
    early = services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert services.year_earlier(early) is None
    with translation.override("en"):
        assert services.year_earlier_note(early) == (
            "No comparison with a year earlier: the same period a year earlier begins before "
            "2025-09-16, when the offence came into force."
        )
    late = services.Filters(("115-1",), dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert services.year_earlier(late) == services.Filters(
        ("115-1",), dt.date(2025, 10, 1), dt.date(2025, 11, 30)
    )
    assert services.year_earlier_note(late) == ""


def test_the_stats_command_gives_rates_per_10000_with_their_unit(make_case):
    for day in (20, 21, 22):
        make_case(region="KZ-62", registered_at=local(2025, 10, day, 10, 0))
    out = io.StringIO()
    call_command("stats", "--article", "115-1", "--from", "2025-09-16", "--to", "2025-12-31",
                 "--per", "10000", "--format", "json", stdout=out)  # fmt: skip
    (ulytau,) = json.loads(out.getvalue())
    assert ulytau["region"] == "KZ-62" and ulytau["rate_unit"] == "per 10,000 per year"
    assert ulytau["rate"] == pytest.approx(3 / (218_993 * 107 / 365) * 1e4, abs=1e-4)


def test_a_regional_user_whose_national_rate_is_withheld_sees_their_region_not_compared(
    client, seed
):
    # Akmola and Jetisu have no figure: no national rate for a regional user, so no verdict.
    registrar = make_user("registrar_shymkent", "registrar", "KZ-79")
    filters = services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    rows = services.by_region(registrar, filters)
    result = services.funnel(registrar, filters)
    assert result.withheld and result.national_rate is None
    assert result.verdicts(rows) == {"KZ-79": services.NOT_COMPARED}
    client.cookies["django_language"] = "en"
    client.force_login(registrar)
    text = client.get("/stats/", {"articles": "115-1", "date_from": "2026-01-01",
                                  "date_to": "2026-06-30"}).content.decode()  # fmt: skip
    assert 'data-region="KZ-79" data-verdict="not_compared"' in text
    assert "Shymkent city: not compared" in text  # the map's tooltip
