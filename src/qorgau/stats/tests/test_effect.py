"""The campaign effect from the database: seasonality and a control series (the other article's
cases, or the reports received) through ``services.campaign_effect``, and the export's columns
(docs/stats.md, "Campaign effect (interrupted time series)")."""

import datetime as dt

import numpy as np
import pytest
from django.utils import translation

from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.stats import its, services, tables

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
START = dt.date(2024, 1, 1)  # a Monday
WEEKS, INTERVENTION_WEEK = 78, 52
INTERVENTION = START + dt.timedelta(weeks=INTERVENTION_WEEK)  # a Monday: no transition week
FILTERS = services.Filters(("115-1",), START, START + dt.timedelta(weeks=WEEKS, days=-1))


def _weekly_cases(article: str, counts: list[int]) -> None:
    """``counts[w]`` cases of ``article`` in Shymkent, registered on the Wednesday of week w."""
    from qorgau.reference.models import ArticlePart, Region
    from qorgau.registry.models import Case
    from tests.fixtures import local

    region = Region.objects.get(code="KZ-79")
    part = ArticlePart.objects.filter(article__code=article).first()
    rows = []
    for week, n in enumerate(counts):
        day = START + dt.timedelta(weeks=week, days=2)
        moment = local(day.year, day.month, day.day, 12, 0)
        rows += [
            Case(number=f"EFF-{article}-{week}-{i}", registered_at=moment, status_at=moment,
                 region=region, article_part=part)
            for i in range(n)
        ]  # fmt: skip
    Case.objects.bulk_create(rows)


def _weekly_reports(counts: list[int]) -> None:
    """``counts[w]`` reports suggesting 115-1 received in Shymkent on the Tuesday of week w."""
    from qorgau.reference.models import Article, Body, Region
    from qorgau.registry.models import Report
    from tests.fixtures import local

    region = Region.objects.get(code="KZ-79")
    body = Body.objects.filter(region=region).first()
    article = Article.objects.get(code="115-1")
    rows = []
    for week, n in enumerate(counts):
        day = START + dt.timedelta(weeks=week, days=1)
        moment = local(day.year, day.month, day.day, 10, 0)
        rows += [
            Report(received_at=moment, channel="call_102", receiving_body=body, region=region,
                   suggested_article=article, summary="Synthetic report")
            for _ in range(n)
        ]  # fmt: skip
    Report.objects.bulk_create(rows)


def _common_step(seed: int, base: float) -> list[int]:
    """Weekly Poisson counts around ``base`` that double at the intervention: a change common
    to every series (a new recording rule), not the campaign's."""
    means = [base] * INTERVENTION_WEEK + [2 * base] * (WEEKS - INTERVENTION_WEEK)
    return [int(n) for n in np.random.default_rng(seed).poisson(means)]


def test_the_other_article_as_control_takes_out_a_change_common_to_both():
    _weekly_cases("115-1", _common_step(1, 10))
    _weekly_cases("125-1", _common_step(2, 15))
    _series, alone = services.campaign_effect(SYSTEM, FILTERS, INTERVENTION, "week")
    series, compared = services.campaign_effect(
        SYSTEM, FILTERS, INTERVENTION, "week", control="articles"
    )
    assert alone.larger_than_chance and alone.level.low > 1.3
    assert compared.controlled and not compared.larger_than_chance
    assert compared.level.low <= 1 <= compared.level.high
    assert [p.control for p in series] == _common_step(2, 15)
    with translation.override("en"):
        assert services.effect_conclusion(compared).startswith("Compared with the control series")


def test_reports_as_control_series():
    cases = _common_step(3, 8)
    reports = _common_step(4, 20)
    _weekly_cases("115-1", cases)
    _weekly_reports(reports)
    series, result = services.campaign_effect(
        SYSTEM, FILTERS, INTERVENTION, "week", control="reports"
    )
    assert [p.control for p in series] == reports and [p.count for p in series] == cases
    assert result.controlled and result.level.low <= 1 <= result.level.high


def test_a_control_of_other_articles_needs_some_chosen():
    every = services.Filters((), START, START + dt.timedelta(weeks=WEEKS, days=-1))
    with pytest.raises(Invalid):
        services.campaign_effect(SYSTEM, every, INTERVENTION, "week", control="articles")
    with pytest.raises(Invalid):
        services.campaign_effect(SYSTEM, FILTERS, INTERVENTION, "week", control="weather")


def test_seasonal_terms_use_the_month_of_each_period_start():
    months = [(START + dt.timedelta(weeks=w)).month for w in range(WEEKS)]
    rng = np.random.default_rng(6)
    _weekly_cases("115-1", [int(n) for n in rng.poisson([6 * (1 + (m == 12)) for m in months])])
    _series, result = services.campaign_effect(SYSTEM, FILTERS, INTERVENTION, "week", seasonal=True)
    assert result.seasonal and result.df_resid == WEEKS - 4 - 11
    assert result.level.low <= 1 <= result.level.high


def test_the_effect_export_carries_the_joint_test_precision_and_placebo():
    _weekly_cases("115-1", _common_step(1, 10))
    columns, rows = tables.table_effect(SYSTEM, FILTERS, "week", INTERVENTION)
    _series, result = services.campaign_effect(SYSTEM, FILTERS, INTERVENTION, "week")
    assert columns[-6:] == [
        "joint_p", "larger_than_chance", "too_imprecise", "scale", "placebo_fits", "placebo_larger"
    ]  # fmt: skip
    assert [r["measure"] for r in rows] == ["level", "trend"]
    assert rows[0]["larger_than_chance"] is True and rows[0]["too_imprecise"] is False
    assert rows[0]["joint_p"] == round(result.joint_p, 4) and rows[0]["scale"] >= 1
    # 52 weeks before: fake dates from week 13 to week 39, 20 of those 27 evenly spaced.
    assert rows[0]["placebo_fits"] == its.MAX_PLACEBO_FITS == result.placebo.fits
    assert its.PRECISION_RATIO == 4.0
