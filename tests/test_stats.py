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
from qorgau.stats import intervals, its, services

pytestmark = pytest.mark.django_db

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


def test_funnel_limits_for_a_known_expected_count():
    low, high = intervals.funnel_limits(10.0, 0.05)
    assert low * 10 == pytest.approx(scipy_stats.chi2.ppf(0.025, 20) / 2)
    assert high * 10 == pytest.approx(scipy_stats.chi2.ppf(0.975, 22) / 2)
    low998, high998 = intervals.funnel_limits(10.0, 0.002)
    assert low998 < low < 1 < high < high998


def test_stats_command_gives_the_letters_table_with_rates():
    call_command("load-seed", stdout=io.StringIO())
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
    assert shymkent["rate"] == pytest.approx(23 / 1293648 * 1e5, abs=1e-4)
    low, high = intervals.poisson_interval(23)
    assert shymkent["rate_low"] == pytest.approx(low / 1293648 * 1e5, abs=1e-4)
    assert shymkent["rate_high"] == pytest.approx(high / 1293648 * 1e5, abs=1e-4)
    assert shymkent["population_date"] == "2026-01-01"
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


def test_rate_uses_the_latest_population_at_or_before_the_period_end():
    call_command("load-seed", stdout=io.StringIO())
    early = services.by_region(
        policy.OPERATOR, services.Filters(("115-1",), dt.date(2025, 9, 16), dt.date(2025, 12, 31))
    )
    shymkent = next(r for r in early if r.region.code == "KZ-79")
    assert shymkent.population is None  # Shymkent's only figure is dated 2026-01-01
    pavlodar = next(r for r in early if r.region.code == "KZ-55")
    assert pavlodar.population.reference_date == dt.date(2023, 1, 1)


def test_funnel_names_shymkent_above_the_national_rate():
    call_command("load-seed", stdout=io.StringIO())
    with __import__("django.utils.translation", fromlist=["override"]).override("en"):
        result = services.funnel(
            policy.OPERATOR,
            services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        )
        shymkent = next(p for p in result.points if p.row.region.code == "KZ-79")
        assert shymkent.outside == "high998"
        sentence = services.funnel_sentence(shymkent, result.national_rate)
    assert sentence.startswith("Shymkent city: 1.78 cases per 100,000")
    assert {r.region.code for r in result.unknown} == {"KZ-11", "KZ-33"}
    known_total = sum(p.row.count for p in result.points)
    known_pop = sum(p.row.population.population for p in result.points)
    assert result.national_rate == pytest.approx(known_total / known_pop * 1e5)


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


def test_analyst_gets_aggregates_but_no_case(client, login):
    from .conftest import make_user

    call_command("load-seed", stdout=io.StringIO())
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
            shown, total = services.suppress_with_total(counts)
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
    assert services.suppress([23, 16, 2, 0]) == [
        "23",
        "*",
        "<4",
        "0",
    ]  # one small cell: hide one more
    assert services.suppress([10, 1, 1]) == [
        "*",
        "<4",
        "<4",
    ]  # two ones would be pinned by the total
    assert services.suppress([10, 3, 3]) == ["*", "<4", "<4"]  # two threes likewise
    assert services.suppress([10, 2, 3]) == ["10", "<4", "<4"]  # 5 = 2+3 or 3+2: safe
    assert services.suppress([0, 0, 0]) == ["0", "0", "0"]
    assert services.suppress([5, 1], threshold=3) == ["*", "<4"]


def test_completeness_shows_latest_registration_unknown_share_and_waiting_reports():
    from qorgau.registry import demo

    demo.load_demo(now=__import__("tests.conftest", fromlist=["local"]).local(2026, 6, 30, 12, 0))
    rows = {
        r["key"]: r for r in services.completeness(policy.OPERATOR, services.Filters())["region"]
    }
    assert rows["KZ-79"]["cases"] > 20 and rows["KZ-79"]["latest"] <= dt.date(2026, 6, 30)
    assert 0 <= rows["KZ-79"]["unknown_share"] <= 1
    from qorgau.registry.models import Report

    assert (
        sum(r["pending_reports"] for r in rows.values())
        == Report.objects.filter(decision="pending").count()
    )


def test_exports_carry_filters_time_and_source(client, login):
    from .conftest import make_user

    call_command("load-seed", stdout=io.StringIO())
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


def test_a_campaign_date_can_be_the_intervention(client, login):
    from .conftest import make_user

    call_command("load-demo", stdout=io.StringIO())
    from qorgau.campaigns.models import Plan

    akimat = Plan.objects.filter(kind="akimat").first()
    login(client, make_user("analyst_c", "analyst"))
    page = client.get("/stats/", {"campaign_date": akimat.approved_on.isoformat()}).content.decode()
    assert f'<option value="{akimat.approved_on.isoformat()}" selected>' in page
    assert f"{akimat.approved_on.isoformat()}." in page  # "Intervention date: YYYY-MM-DD."
