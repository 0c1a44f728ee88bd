"""Statistics: exact intervals checked against independent values, the letter's table, the
funnel, and the interrupted time series on synthetic data."""

import datetime as dt
import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from scipy import stats as scipy_stats

from qorgau.access import policy
from qorgau.core.actors import Actor
from qorgau.reference import population
from qorgau.stats import disclosure, intervals, its, rates, services

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")  # the statistics as the system sees them: every region

# Exact 95% Poisson limits for the mean, from the published table (Garwood 1936; reproduced in
# e.g. the Public Health England/ONS "Confidence intervals for rates" tables).
PUBLISHED_95 = {
    0: (0.0, 3.689),
    1: (0.0253, 5.572),
    2: (0.2422, 7.225),
    3: (0.6187, 8.767),
    5: (1.6235, 11.668),
    10: (4.7954, 18.390),
}


@pytest.mark.parametrize("count", sorted(PUBLISHED_95))
def test_garwood_interval_matches_the_published_table(count):
    low, high = intervals.poisson_interval(count)
    assert low == pytest.approx(PUBLISHED_95[count][0], abs=5e-4)
    assert high == pytest.approx(PUBLISHED_95[count][1], abs=5e-3)


def test_garwood_interval_matches_an_independent_computation():
    # The same interval from the gamma distribution (the chi-square identity is not used).
    for count in (1, 4, 23, 79, 250):
        low, high = intervals.poisson_interval(count)
        assert low == pytest.approx(scipy_stats.gamma.ppf(0.025, count), rel=1e-9)
        assert high == pytest.approx(scipy_stats.gamma.ppf(0.975, count + 1), rel=1e-9)


def _poisson_mean_where(tail, k: int, target: float) -> float:
    """The Poisson mean at which ``tail(k, mean)`` equals ``target``, by root finding on the
    Poisson distribution itself (no chi-square or gamma identity)."""
    from scipy.optimize import brentq

    return brentq(lambda mean: tail(k, mean) - target, 1e-9, 1000.0, xtol=1e-12)


@pytest.mark.parametrize("expected", [0.91, 2.5, 10.0, 37.3])
@pytest.mark.parametrize("alpha", [0.05, 0.002])
def test_funnel_limits_match_the_gamma_distribution(expected, alpha):
    # chi2(q; 2E)/2 is the gamma(E) quantile: an independent route that also holds for a
    # non-integer E.
    low, high = intervals.funnel_limits(expected, alpha)
    assert low * expected == pytest.approx(scipy_stats.gamma.ppf(alpha / 2, expected), rel=1e-9)
    assert high * expected == pytest.approx(
        scipy_stats.gamma.ppf(1 - alpha / 2, expected + 1), rel=1e-9
    )


def test_funnel_limits_for_an_integer_expected_count_match_published_and_exact_values():
    # For an integer E the limits are the exact Poisson limits of a count E: the published
    # 95% table, and for 99.8% the means at which P(X >= E) and P(X <= E) are 0.001.
    low, high = intervals.funnel_limits(10.0, 0.05)
    assert low * 10 == pytest.approx(PUBLISHED_95[10][0], abs=5e-4)
    assert high * 10 == pytest.approx(PUBLISHED_95[10][1], abs=5e-3)
    low998, high998 = intervals.funnel_limits(10.0, 0.002)
    sf_at_least = lambda k, mean: scipy_stats.poisson.sf(k - 1, mean)  # noqa: E731
    assert low998 * 10 == pytest.approx(_poisson_mean_where(sf_at_least, 10, 0.001), rel=1e-6)
    assert high998 * 10 == pytest.approx(
        _poisson_mean_where(scipy_stats.poisson.cdf, 10, 0.001), rel=1e-6
    )
    assert low998 < low < 1 < high < high998


def _point(observed: int, expected: float) -> services.FunnelPoint:
    from qorgau.reference.models import Region

    row = services.RegionRow(Region.objects.get(code="KZ-62"), observed, None)
    return services.FunnelPoint(
        row,
        expected,
        observed / expected,
        intervals.funnel_limits(expected, 0.05),
        intervals.funnel_limits(expected, 0.002),
        population=100_000,  # so that the rate per 100,000 is the count
        rate=float(observed),
    )


def test_a_likely_zero_is_not_outside_the_funnel():
    # Ulytau: no case where 0.91 were expected. The drawn 95% lower limit is above 0, but
    # P(X = 0 | 0.91) = e^-0.91 = 0.40: nothing improbable.
    point = _point(0, 0.91)
    assert point.limits95[0] > 0 and point.ratio < point.limits95[0]
    assert point.outside == ""
    assert _point(1, 0.91).outside == "" and _point(2, 3.0).outside == ""


def test_improbable_counts_are_outside_the_funnel():
    # Beyond the drawn limit and improbable (P(X >= O | E) below α/2): named.
    assert _point(14, 3.0).outside == "high998"  # ratio 4.67 > 4.35; P = 4e-6
    assert _point(9, 3.0).outside == "high95"  # ratio 3.00 > 2.92; P = 0.0038
    assert _point(12, 3.0).outside == "high95"  # P = 7e-5, but ratio 4.0 inside the 99.8% line
    assert _point(7, 3.0).outside == ""  # P(X >= 7 | 3) = 0.034: within chance
    assert _point(0, 10.0).outside == "low998"  # P(X = 0 | 10) = 4.5e-5
    assert _point(5, 12.0).outside == "low95"  # P(X <= 5 | 12) = 0.020


def test_stats_command_gives_the_letters_table_with_rates(seed):
    out = io.StringIO()
    call_command("stats", "--article", "115-1", "--from", "2026-01-01", "--to", "2026-12-31",
                 "--by", "region", "--format", "json", stdout=out)  # fmt: skip
    rows = json.loads(out.getvalue())
    counts = {r["region"]: r["count"] for r in rows if r["count"]}
    assert counts == {
        "KZ-79": 23, "KZ-71": 16, "KZ-75": 8, "KZ-55": 7, "KZ-43": 7, "KZ-10": 3, "KZ-61": 3,
        "KZ-19": 2, "KZ-27": 2, "KZ-35": 2, "KZ-47": 2, "KZ-59": 2, "KZ-63": 1, "KZ-39": 1,
    }  # fmt: skip
    assert len(rows) == 14 and sum(r["count"] for r in rows) == 79  # exactly the letter's table
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    shymkent = next(r for r in rows if r["region"] == "KZ-79")
    # Annualised: the year 2026 up to today (no case of a later day is counted yet), against
    # Shymkent's only figure (2026-01-01), carried forward to the mid-point.
    start, end = services.rate_period(
        services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    )
    years = rates.person_years(start, end)
    assert shymkent["rate"] == pytest.approx(23 / (1293648 * years) * 1e5, abs=1e-4)
    low, high = intervals.poisson_interval(23)
    assert shymkent["rate_low"] == pytest.approx(low / (1293648 * years) * 1e5, abs=1e-4)
    assert shymkent["rate_high"] == pytest.approx(high / (1293648 * years) * 1e5, abs=1e-4)
    assert shymkent["rate_unit"] == "per 100,000 per year"
    assert shymkent["population"] == 1293648
    assert shymkent["population_date"] == population.mid_point(start, end).isoformat()
    out = io.StringIO()
    call_command("stats", "--article", "115-1", "--from", "2026-01-01", "--to", "2026-12-31",
                 "--by", "region", "--format", "json", "--include-zero", stdout=out)  # fmt: skip
    every = json.loads(out.getvalue())
    assert len(every) == 20
    akmola = next(r for r in every if r["region"] == "KZ-11")
    assert (
        akmola["count"] == 0 and akmola["rate"] is None and akmola["population"] is None
    )  # unknown, not invented
    ulytau = next(r for r in every if r["region"] == "KZ-62")
    assert ulytau["rate"] == 0 and ulytau["rate_high"] > 0
    out = io.StringIO()
    call_command(
        "stats",
        "--article",
        "125-1",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
        stdout=out,
    )
    assert sum(r["count"] for r in json.loads(out.getvalue())) == 31
    out = io.StringIO()
    call_command("stats", "--article", "115-1", "--article", "125-1", "--from", "2025-09-16", "--to", "2025-12-31",
                 "--by", "article", "--format", "json", stdout=out)  # fmt: skip
    assert {r["article"]: r["count"] for r in json.loads(out.getvalue())} == {
        "115-1": 15,
        "125-1": 12,
    }


def test_rate_uses_the_population_nearest_the_period_mid_point(seed):
    # Before issue 14 the latest figure on or before the period's end was used: Shymkent's
    # only figure (2026-01-01) came after this period, and it had no rate.
    early = services.by_region(
        SYSTEM, services.Filters(("115-1",), dt.date(2025, 9, 16), dt.date(2025, 12, 31))
    )
    shymkent = next(r for r in early if r.region.code == "KZ-79")
    assert shymkent.population.method == population.Method.CARRIED_BACK
    assert shymkent.population.figures[0].reference_date == dt.date(2026, 1, 1)
    assert shymkent.rate is not None
    pavlodar = next(r for r in early if r.region.code == "KZ-55")
    assert pavlodar.population.method == population.Method.CARRIED_FORWARD
    assert pavlodar.population.figures[0].reference_date == dt.date(2023, 1, 1)


def test_funnel_names_shymkent_above_the_national_rate(seed):
    with __import__("django.utils.translation", fromlist=["override"]).override("en"):
        result = services.funnel(
            SYSTEM,
            services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        )
        shymkent = next(p for p in result.points if p.row.region.code == "KZ-79")
        assert shymkent.outside == "high998"
        sentence = services.funnel_sentence(shymkent, result.national_rate)
    # 23 cases over 2026 up to today, annualised (1.78 per 100,000 for the whole year).
    expected_rate = 23 / (1293648 * shymkent.row.years) * 1e5
    assert sentence.startswith(f"Shymkent city: {expected_rate:.2f} cases per 100,000 per year")
    assert {r.region.code for r in result.unknown} == {"KZ-11", "KZ-33"}
    ulytau = next(p for p in result.points if p.row.region.code == "KZ-62")
    # No case where about 0.9 were expected: below the drawn lower limit, but not improbable.
    assert ulytau.row.count == 0 and ulytau.expected < 1.2 and ulytau.outside == ""
    known_total = sum(p.row.count for p in result.points)
    known_pop = sum(p.row.population.population for p in result.points)
    years = result.points[0].row.years
    assert result.national_rate == pytest.approx(known_total / (known_pop * years) * 1e5)
    assert result.compared == 18 and result.compared_sentence() == "18 regions compared."


def synthetic(
    level_ratio: float, seed: int, weeks_before=30, weeks_after=30, base=10.0
) -> list[int]:
    rng = np.random.default_rng(seed)
    means = [base] * weeks_before + [base * level_ratio] * weeks_after
    return [int(x) for x in rng.poisson(means)]


def test_its_recovers_an_injected_step_within_its_interval():
    # A single series can land outside its 95% interval by chance (5% of the time); over many
    # series the interval must cover the true step about 95% of the time.
    results = [its.segmented_poisson(synthetic(2.0, seed), 30) for seed in range(200)]
    coverage = np.mean([r.level.low <= 2.0 <= r.level.high for r in results])
    assert 0.90 <= coverage <= 0.99
    assert np.median([r.level.estimate for r in results]) == pytest.approx(2.0, rel=0.1)
    assert np.mean([r.level.significant for r in results]) > 0.95  # the step is found
    assert not results[0].too_short


def test_its_reports_no_change_where_none_was_injected():
    results = [its.segmented_poisson(synthetic(1.0, seed), 30) for seed in range(200)]
    false_alarms = np.mean([r.level.significant for r in results])
    assert false_alarms <= 0.10
    assert np.median([r.level.estimate for r in results]) == pytest.approx(1.0, abs=0.05)


def test_its_warns_when_the_series_is_too_short():
    result = its.segmented_poisson(synthetic(2.0, 7, weeks_before=4, weeks_after=5), 4)
    assert result.too_short
    from django.utils import translation

    with translation.override("en"):
        assert "too short" in services.effect_conclusion(result)


def _register_weekly(means: list[float], first_week: dt.date, seed: int, day_offset: int = 4):
    """Poisson counts drawn from ``means``, one per week from the Monday ``first_week``, stored
    as cases of Shymkent (115-1) registered on the week's Friday (``day_offset``) at noon."""
    from qorgau.reference.models import ArticlePart, Region
    from qorgau.registry.models import Case
    from tests.fixtures import local

    rng = np.random.default_rng(seed)
    region = Region.objects.get(code="KZ-79")
    part = ArticlePart.objects.get(article__code="115-1", number=1)
    counts, rows = [int(n) for n in rng.poisson(means)], []
    for week, n in enumerate(counts):
        day = first_week + dt.timedelta(weeks=week, days=day_offset)
        moment = local(day.year, day.month, day.day, 12, 0)
        rows += [
            Case(number=f"SYN-{week}-{i}", registered_at=moment, status_at=moment,
                 region=region, article_part=part)
            for i in range(n)
        ]  # fmt: skip
    Case.objects.bulk_create(rows)
    return counts


# A synthetic history: Mondays from 2024-01-01; the intervention on a Thursday in week 40; the
# period asked for begins on a Wednesday (a partial first week) and ends with the data, on the
# Sunday of week 79 (the cut-off: the series runs to it, and empty weeks before it are zeros).
SYN_START = dt.date(2024, 1, 1)
SYN_INTERVENTION = SYN_START + dt.timedelta(weeks=40, days=3)
SYN_FILTERS = services.Filters(
    ("115-1",), SYN_START + dt.timedelta(days=2), SYN_START + dt.timedelta(weeks=80, days=-1)
)


def _synthetic_means(level: float, trend: float, base: float = 30.0, baseline: float = 0.004):
    """Weekly means: a baseline trend, then from week 41 (the first whole week after the
    intervention) a step ``level`` and a trend change ``trend`` per week; week 40 (the
    transition) mixes both; week 0 has 3 of 7 days missing; data end after week 79."""
    means = []
    for t in range(80):
        mean = base * np.exp(baseline * t)
        if t >= 41:
            mean *= level * np.exp(trend * (t - 41))
        elif t == 40:
            mean *= (3 + 4 * level) / 7
        means.append(mean * (5 / 7 if t == 0 else 1))
    return means


def test_campaign_effect_recovers_an_injected_step_and_trend_change():
    level, trend = 1.6, 0.01
    _register_weekly(_synthetic_means(level, trend), SYN_START, seed=11)
    series, result = services.campaign_effect(actor=SYSTEM, filters=SYN_FILTERS,
                                              intervention=SYN_INTERVENTION, period="week")  # fmt: skip
    assert result.level.low <= level <= result.level.high and result.level.low > 1
    assert result.trend.low <= np.exp(trend) <= result.trend.high and result.trend.low > 1
    assert result.baseline_trend.low <= np.exp(0.004) <= result.baseline_trend.high
    # The partial first week and the transition week are left out; the 39 whole weeks before
    # and the 39 from week 41 to week 79 (the cut-off) are used.
    assert [(p.start, p.reason) for p in series if not p.used] == [
        (SYN_START, "partial"),
        (SYN_START + dt.timedelta(weeks=40), "transition"),
    ]
    assert (result.points_before, result.points_after) == (39, 39)
    assert series[-1].start == SYN_START + dt.timedelta(weeks=79)
    assert not result.too_short
    from django.utils import translation

    assert result.larger_than_chance and result.joint_p < 0.001
    # Placebo dates in the 39 weeks before: from week 10 to week 29, none "larger than chance".
    assert result.placebo == its.Placebo(fits=20, larger=0)
    with translation.override("en"):
        text = services.effect_conclusion(result)
    assert "larger than chance" in text and "too short" not in text
    assert "Placebo check: of 20 fake intervention dates before the real one, 0 showed" in text


def test_campaign_effect_reports_no_change_where_none_was_injected():
    _register_weekly(_synthetic_means(1.0, 0.0), SYN_START, seed=12)
    _series, result = services.campaign_effect(SYSTEM, SYN_FILTERS, SYN_INTERVENTION, "week")
    assert result.level.low <= 1 <= result.level.high
    assert result.trend.low <= 1 <= result.trend.high
    assert result.level.estimate == pytest.approx(1.0, abs=0.15)
    assert not result.larger_than_chance and not result.imprecise
    from django.utils import translation

    with translation.override("en"):
        assert "No change beyond chance" in services.effect_conclusion(result)


def test_quiet_weeks_up_to_the_cut_off_are_real_zeros():
    # Cases stop after week 29; the period asked runs to week 59. The 30 quiet weeks up to the
    # cut-off are data (a small region's empty weeks), not missing: kept as zeros, and the
    # fall they show is found.
    counts = _register_weekly([20.0] * 30, SYN_START, seed=3)
    filters = services.Filters(("115-1",), SYN_START, SYN_START + dt.timedelta(weeks=60, days=-1))
    intervention = SYN_START + dt.timedelta(weeks=15)  # a Monday: no transition week
    series, result = services.campaign_effect(SYSTEM, filters, intervention, "week")
    assert len(series) == 60 and all(p.used for p in series)
    assert [p.count for p in series] == counts + [0] * 30
    assert (result.points_before, result.points_after, result.total) == (15, 45, sum(counts))
    assert result.larger_than_chance


def test_the_effect_series_ends_yesterday_when_the_period_runs_on():
    from django.utils import timezone

    today = timezone.localdate()
    filters = services.Filters((), today - dt.timedelta(days=70), today + dt.timedelta(days=400))
    series, _result = services.campaign_effect(SYSTEM, filters, today, "week")
    # This week (not over before today) is the last period, left out of the fit as partial.
    assert series[-1].start == services.period_start(today, "week")
    assert (series[-1].used, series[-1].reason) == (False, "partial")
    assert all(p.used for p in series[1:-1] if p.reason != "transition")


def test_time_series_draws_no_period_after_today():
    from django.utils import timezone

    today = timezone.localdate()
    filters = services.Filters((), today - dt.timedelta(days=70), today + dt.timedelta(days=400))
    for period in ("week", "month"):
        series = services.time_series(SYSTEM, filters, period)
        assert series and series[-1][0] == services.period_start(today, period)


def test_a_short_series_leads_with_the_warning_and_claims_nothing():
    from django.utils import translation

    # A big step on short series: "significant", yet too short to conclude.
    result = its.segmented_poisson([5, 6, 5, 4, 30, 32, 31, 29], 4)
    assert result.too_short and result.level.significant
    with translation.override("en"):
        text = services.effect_conclusion(result)
    assert text.startswith("Warning: the series is too short to conclude")
    assert "larger than chance" not in text and "No change" not in text


def test_analyst_gets_aggregates_but_no_case(client, login, seed):
    from tests.fixtures import make_user

    analyst = make_user("analyst_kz", "analyst")
    assert services.cases(analyst, services.Filters()).count() == 137
    login(client, analyst)
    assert client.get("/registry/cases/").status_code == 403


def _readings(shown: list[str], total: str, threshold: int = 3) -> set[tuple]:
    """Every table a reader could infer from what is published (a brute-force adversary)."""
    import itertools

    if not total.isdigit():
        return {"total withheld"}
    ranges = []
    for label in shown:
        if label.isdigit():
            ranges.append([int(label)])
        elif label.startswith("<"):
            ranges.append(range(1, threshold + 1))
        else:
            ranges.append(range(threshold + 1, int(total) + 1))
    return {combo for combo in itertools.product(*ranges) if sum(combo) == int(total)}


def test_no_small_count_can_be_read_off_the_published_table():
    """Every table of up to four cells with counts 0–7: whatever is published, a reader who knows
    the rule cannot tell any small count exactly."""
    import itertools

    for size in range(1, 5):
        for counts in itertools.product(range(8), repeat=size):
            counts = list(counts)
            shown, total = disclosure.suppress_with_total(counts)
            for value, label in zip(counts, shown, strict=True):
                assert label == ("<4" if 1 <= value <= 3 else label)
                assert label in ("<4", "*") or label == str(value)
            readings = _readings(shown, total)
            if readings == {"total withheld"}:
                continue
            assert tuple(counts) in readings
            for i, value in enumerate(counts):
                if 1 <= value <= 3:
                    assert len({r[i] for r in readings}) > 1, (counts, shown, total)


def test_secondary_suppression_cases():
    assert disclosure.suppress([23, 16, 2, 0]) == [
        "23",
        "*",
        "<4",
        "0",
    ]  # one small cell: hide one more
    assert disclosure.suppress([10, 1, 1]) == [
        "*",
        "<4",
        "<4",
    ]  # two ones would be pinned by the total
    assert disclosure.suppress([10, 3, 3]) == ["*", "<4", "<4"]  # two threes likewise
    assert disclosure.suppress([10, 2, 3]) == ["10", "<4", "<4"]  # 5 = 2+3 or 3+2: safe
    assert disclosure.suppress([0, 0, 0]) == ["0", "0", "0"]
    assert disclosure.suppress([5, 1], threshold=3) == ["*", "<4"]


def test_completeness_shows_latest_registration_unknown_share_and_waiting_reports(demo):
    # The demo as of 2026-06-30 12:00 (tests.fixtures.DEMO_NOW), loaded once per run.
    rows = {r["key"]: r for r in services.completeness(SYSTEM, services.Filters())["region"]}
    assert rows["KZ-79"]["cases"] > 20 and rows["KZ-79"]["latest"] <= dt.date(2026, 6, 30)
    assert 0 <= rows["KZ-79"]["unknown_share"] <= 1
    from qorgau.registry.models import Report

    assert (
        sum(r["pending_reports"] for r in rows.values())
        == Report.objects.filter(decision="pending").count()
    )


def test_exports_carry_filters_time_and_source(client, login, seed):
    from tests.fixtures import make_user

    login(client, make_user("analyst_x", "analyst"))
    response = client.get(
        "/stats/export/regions.csv",
        {"articles": "115-1", "date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    text = response.content.decode()
    assert (
        "# articles: 115-1" in text
        and "# from: 2026-01-01" in text
        and "# generated: " in text
        and "# source: " in text
    )
    assert "KZ-79,Шымкент қаласы,23," in text or "KZ-79,Shymkent city,23," in text
    response = client.get(
        "/stats/export/regions.xlsx",
        {"articles": "115-1", "date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["regions"].iter_rows(values_only=True))
    assert rows[0][:3] == ("region", "name", "count") and rows[1][0] == "KZ-79" and rows[1][2] == 23
    about = dict(book.worksheets[1].iter_rows(values_only=True))
    assert about["articles"] == "115-1" and about["source"]


def test_a_campaign_date_can_be_the_intervention(client, login, demo):
    from qorgau.campaigns.models import Plan
    from tests.fixtures import make_user

    akimat = Plan.objects.filter(kind="akimat").first()
    login(client, make_user("analyst_c", "analyst"))
    page = client.get("/stats/", {"campaign_date": akimat.approved_on.isoformat()}).content.decode()
    assert f'<option value="{akimat.approved_on.isoformat()}" selected>' in page
    assert f"{akimat.approved_on.isoformat()}." in page  # "Intervention date: YYYY-MM-DD."


def _monthly_counts_by_hand(article: str, start: dt.date, end: dt.date) -> dict[str, int]:
    """Cases per calendar month, counted here from the rows (not through the stats service)."""
    from django.utils import timezone

    from qorgau.registry.models import Case

    counts: dict[str, int] = {}
    for case in Case.objects.filter(article_part__article__code=article):
        day = timezone.localtime(case.registered_at).date()
        if start <= day <= end:
            key = day.replace(day=1).isoformat()
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_series_export_follows_the_dashboards_period(client, login, seed):
    from tests.fixtures import make_user

    login(client, make_user("analyst_p", "analyst"))
    query = {"articles": "115-1", "date_from": "2026-01-01", "date_to": "2026-06-30"}
    text = client.get("/stats/export/series.csv", {**query, "period": "month"}).content.decode()
    assert "# period: month" in text
    rows = [line.split(",") for line in text.splitlines() if not line.startswith("#")][1:]
    by_hand = _monthly_counts_by_hand("115-1", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert [r[0] for r in rows] == [f"2026-0{m}-01" for m in range(1, 7)]
    assert {r[0]: int(r[1]) for r in rows if int(r[1])} == by_hand
    page = client.get("/stats/", {**query, "period": "month"}).content.decode()
    for month, n in by_hand.items():  # the dashboard's table under the chart: the same numbers
        assert f'<tr><td>{month}</td><td class="num">{n}</td></tr>' in page
    weekly = client.get("/stats/export/series.csv", {**query, "period": "week"}).content.decode()
    assert "# period: week" in weekly and "2026-01-05," in weekly  # a Monday


def test_reports_and_outcomes_are_counted_by_region_channel_decision_and_ground(
    client, login, demo
):
    from collections import Counter

    from django.conf import settings as django_settings
    from django.utils.timezone import localtime

    from qorgau.registry.choices import CaseStatus, Channel, Decision
    from qorgau.registry.models import Case, Report
    from tests.fixtures import make_user

    filters = services.Filters((), dt.date(2025, 9, 16), dt.date(2026, 12, 31))
    reports = [
        r
        for r in Report.objects.select_related("region")
        if dt.date(2025, 9, 16) <= localtime(r.received_at).date() <= dt.date(2026, 12, 31)
    ]
    assert reports
    for dimension, key in (
        ("report_region", lambda r: r.region.code),
        ("report_channel", lambda r: r.channel),
        ("report_decision", lambda r: r.decision),
    ):
        got = {row["key"]: row["count"] for row in services.counts_by(SYSTEM, filters, dimension)}
        assert got == dict(Counter(key(r) for r in reports)), dimension
    grounds = Counter(
        c.termination_ground
        for c in Case.objects.filter(status="terminated")
        if dt.date(2025, 9, 16) <= localtime(c.registered_at).date() <= dt.date(2026, 12, 31)
    )
    got = {r["key"]: r["count"] for r in services.counts_by(SYSTEM, filters, "termination_ground")}
    assert got and got == dict(grounds)
    # The CLI: new --by values; the JSON shape of the other breakdowns.
    out = io.StringIO()
    call_command("stats", "--from", "2025-09-16", "--to", "2026-12-31", "--by", "report_channel",
                 "--format", "json", stdout=out)  # fmt: skip
    rows = json.loads(out.getvalue())
    assert {r["report_channel"]: r["count"] for r in rows} == dict(
        Counter(r.channel for r in reports)
    )
    # The dashboard, in Russian and Kazakh: translated labels, never the stored codes.
    login(client, make_user("analyst_l", "analyst"))
    query = {"date_from": "2025-09-16", "date_to": "2026-12-31"}
    for lang in ("ru", "kk"):
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
        page = client.get("/stats/", query).content.decode()
        assert 'id="breakdown-status"' in page and 'id="breakdown-report_channel"' in page
        for code in ("sent_to_court", "investigation", "call_102", "registered", "no_offence"):
            assert f"<td>{code}</td>" not in page
        with __import__("django.utils.translation", fromlist=["x"]).override(lang):
            labels = [str(c.label) for c in (CaseStatus.SENT_TO_COURT, Channel.CALL_102,
                                             Decision.REGISTERED)]  # fmt: skip
        for label in labels:  # each exists in the demo data
            assert f"<td>{label}</td>" in page
        expected = {"ru": "направлено в суд", "kk": "сотқа жіберілді"}[lang]
        assert f"<td>{expected}</td>" in page
    for name in ("report_region", "report_channel", "report_decision", "termination_ground"):
        response = client.get(f"/stats/export/{name}.xlsx", query)
        assert response.status_code == 200
        text = client.get(f"/stats/export/{name}.csv", query).content.decode()
        assert f"{name},label,count" in text


def test_the_small_count_threshold_is_a_setting(settings, make_case):
    from qorgau.reference.models import Region
    from qorgau.stats import releases
    from tests.fixtures import local

    for i in range(4):
        make_case(region="KZ-62", article="125-1", registered_at=local(2026, 2, 1 + i, 10, 0))
    for i in range(9):
        make_case(region="KZ-79", article="125-1", registered_at=local(2026, 3, 1 + i, 10, 0))
    for i in range(8):
        make_case(region="KZ-71", article="125-1", registered_at=local(2026, 4, 1 + i, 10, 0))

    def published(code):
        # A release's table of February to April (stats.releases, as publish() makes it).
        articles, regions = ["115-1", "125-1"], list(Region.objects.values_list("code", flat=True))
        period = releases.Period(dt.date(2026, 2, 1), dt.date(2026, 4, 30))
        counts = releases.exact_counts(period, articles, regions)
        cells, _totals = releases.protect(
            counts, articles, regions, disclosure.small_count_threshold()
        )
        return cells["125-1"][code], cells["125-1"]

    assert disclosure.small_count_threshold() == 3  # the default: 4 is shown
    assert published("KZ-62")[0] == "4"
    settings.SMALL_COUNT_THRESHOLD = 5
    cell, cells = published("KZ-62")
    assert cell == "<6"  # 1..5 shown as "<6"
    # The total (21) would reveal the 4 next to 9 and 8: one of those is hidden too.
    assert "*" in (cells["KZ-79"], cells["KZ-71"])
    cells, _total = disclosure.suppress_with_total(
        [4, 20, 0, 9], disclosure.small_count_threshold()
    )
    assert cells[0] == "<6" and cells[2] == "0"


def test_completeness_lists_every_region_and_a_region_that_stopped_recording(make_case):
    from tests.fixtures import local, make_user

    make_case(region="KZ-62", registered_at=local(2025, 10, 3, 9, 0))  # Ulytau, then silence
    make_case(region="KZ-79", registered_at=local(2026, 3, 3, 9, 0))
    filters = services.Filters((), dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    result = services.completeness(SYSTEM, filters)
    rows = {r["key"]: r for r in result["region"]}
    assert len(rows) == 20  # every region, with or without cases
    assert rows["KZ-62"]["cases"] == 0 and rows["KZ-62"]["latest"] == dt.date(2025, 10, 3)
    assert rows["KZ-79"]["cases"] == 1 and rows["KZ-79"]["latest"] == dt.date(2026, 3, 3)
    assert rows["KZ-11"]["latest"] is None and rows["KZ-11"]["unknown_share"] is None
    assert set(rows["KZ-62"]) >= {
        "key",
        "name",
        "cases",
        "latest",
        "unknown_share",
        "pending_reports",
    }
    bodies = {r["key"]: r for r in result["body"]}
    from qorgau.registry.models import Case

    for case in Case.objects.select_related("investigating_body"):
        assert case.investigating_body.code in bodies  # the Ulytau body too, with 0 cases
    registrar = make_user("registrar_ulytau", "registrar", "KZ-62")
    own = services.completeness(registrar, filters)["region"]
    assert [r["key"] for r in own] == ["KZ-62"] and own[0]["latest"] == dt.date(2025, 10, 3)


def test_a_regional_user_sees_the_national_rate_but_only_own_region_in_the_funnel(seed):
    # A regional user gets a national rate over all twenty regions only (test_sec_stats.py):
    # give the two regions without a figure one (illustrative numbers).
    from qorgau.reference.models import PopulationFigure, Region
    from tests.fixtures import make_user

    for code, people in (("KZ-11", 790000), ("KZ-33", 700000)):
        PopulationFigure.objects.create(
            region=Region.objects.get(code=code), reference_date=dt.date(2026, 1, 1),
            population=people, precision="exact", source="test",
        )  # fmt: skip
    filters = services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    national = services.funnel(SYSTEM, filters)
    registrar = make_user("registrar_astana", "registrar", "KZ-71")
    mine = services.funnel(registrar, filters)
    assert mine.national_rate == pytest.approx(national.national_rate)
    assert [p.row.region.code for p in mine.points] == ["KZ-71"]
    campaign = make_user("campaign_x", "campaign")  # no stats.view: nothing
    assert services.funnel(campaign, filters).national_rate is None
    from qorgau.registry.models import Case

    assert not policy.national_aggregate(campaign, Case.objects.all()).exists()
    assert policy.national_aggregate(registrar, Case.objects.all()).count() == Case.objects.count()


def test_time_series_draws_one_marker_per_period_with_its_labels_joined():
    """Three plans approved in one month and the intervention on one of their dates make one
    marker line with each label once, not four labels printed over each other."""
    from qorgau.stats import charts

    svg = charts.line_chart(
        [("2026-01-01", 3), ("2026-02-01", 5), ("2026-03-01", 4)],
        [(0, "law"), (1, "plan"), (1, "plan"), (1, "plan"), (1, "intervention")],
        "series",
    )
    assert svg.count('class="marker"') == 2
    assert svg.count("plan · intervention") == 1 and svg.count(">plan<") == 0


def test_chart_marks_the_plans_national_and_of_the_regions_shown(seed):
    from qorgau.campaigns.models import Organisation, Plan
    from qorgau.reference.models import Region
    from tests.fixtures import make_user

    org = Organisation.objects.create(name_kk="Әкімдік", name_ru="Акимат", kind="akimat")
    days = {None: dt.date(2026, 3, 2), "KZ-79": dt.date(2026, 3, 3), "KZ-75": dt.date(2026, 3, 4)}
    for code, day in days.items():
        Plan.objects.create(
            title_kk="Жоспар", title_ru="План", kind="akimat", approved_on=day, approved_by=org,
            lead=org, period_from=day, period_to=dt.date(2026, 12, 31),
            region=Region.objects.get(code=code) if code else None,
        )  # fmt: skip
    intervention = dt.date(2026, 3, 1)

    def plan_days(user, regions=()):
        marks = services.chart_markers(user, services.Filters(regions=regions), intervention)
        return {d for d, _label in marks} & set(days.values())  # no law came into force then

    national = make_user("analyst_marks", "analyst")
    assert plan_days(national) == set(days.values())
    assert plan_days(national, ("KZ-75",)) == {days[None], days["KZ-75"]}
    shymkent = make_user("prosecutor_marks", "prosecutor", "KZ-79")
    assert plan_days(shymkent) == {days[None], days["KZ-79"]}
    assert plan_days(shymkent, ("KZ-75",)) == {days[None]}
