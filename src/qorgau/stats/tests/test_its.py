"""The campaign-effect model's parts, each checked against a computation written apart from it
(docs/stats.md, "Campaign effect (interrupted time series)")."""

import datetime as dt

import numpy as np
import pytest
from django.utils import translation
from scipy import stats as sps

from qorgau.stats import its, services


def _poisson_fit(y: np.ndarray, design: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson maximum likelihood by Newton's method (apart from statsmodels): the estimates
    and the unscaled covariance (the inverse information)."""
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(y.mean())
    for _ in range(50):
        mu = np.exp(design @ beta)
        information = design.T @ (design * mu[:, None])
        beta = beta + np.linalg.solve(information, design.T @ (y - mu))
    mu = np.exp(design @ beta)
    return beta, np.linalg.inv(design.T @ (design * mu[:, None]))


def _segmented(n: int, index: int) -> np.ndarray:
    t = np.arange(n, dtype=float)
    step = (t >= index).astype(float)
    return np.column_stack([np.ones(n), t, step, np.where(step > 0, t - index, 0.0)])


def _by_hand(counts: list[int], index: int) -> dict[str, float]:
    y = np.asarray(counts, dtype=float)
    design = _segmented(len(y), index)
    beta, cov = _poisson_fit(y, design)
    mu = np.exp(design @ beta)
    df = len(y) - design.shape[1]
    dispersion = float(np.sum((y - mu) ** 2 / mu) / df)
    scale = max(1.0, dispersion)
    se = np.sqrt(np.diag(cov) * scale)
    q = sps.t.ppf(0.975, df)
    b = beta[2:4]
    wald = b @ np.linalg.solve(cov[2:4, 2:4] * scale, b) / 2
    return {
        "dispersion": dispersion,
        "scale": scale,
        "level_low": float(np.exp(beta[2] - q * se[2])),
        "level_high": float(np.exp(beta[2] + q * se[2])),
        "trend_low": float(np.exp(beta[3] - q * se[3])),
        "trend_high": float(np.exp(beta[3] + q * se[3])),
        "p": float(sps.f.sf(wald, 2, df)),
    }


def test_under_dispersed_counts_get_poisson_intervals_not_narrower_ones():
    # Counts that vary less than Poisson (Pearson's χ²/df well below 1): the scale stays 1.
    before = [10, 11, 9, 10, 10, 11, 9, 10, 10, 9, 11, 10]
    counts = [*before, 14, 15, 13, 14, 15, 14, 13, 14, 15, 14]
    result = its.segmented_poisson(counts, 12)
    expected = _by_hand(counts, 12)
    assert result.dispersion == pytest.approx(expected["dispersion"], rel=1e-6)
    assert result.dispersion < 0.2 and result.scale == 1.0 == expected["scale"]
    assert result.level.low == pytest.approx(expected["level_low"], rel=1e-6)
    assert result.level.high == pytest.approx(expected["level_high"], rel=1e-6)
    assert result.df_resid == len(counts) - 4


def test_over_dispersed_counts_get_scaled_t_intervals_and_one_joint_f_test():
    rng = np.random.default_rng(5)
    counts = [int(n) for n in rng.negative_binomial(3, 3 / (3 + 12), size=40)]
    result = its.segmented_poisson(counts, 26)
    expected = _by_hand(counts, 26)
    assert result.scale == pytest.approx(expected["scale"], rel=1e-6) and result.scale > 1
    for name in ("level", "trend"):
        effect = getattr(result, name)
        assert effect.low == pytest.approx(expected[f"{name}_low"], rel=1e-6)
        assert effect.high == pytest.approx(expected[f"{name}_high"], rel=1e-6)
    assert result.joint_p == pytest.approx(expected["p"], rel=1e-6)


def test_the_joint_test_decides_even_when_one_interval_alone_excludes_one():
    # One of two intervals excluding 1 is not enough: two looks at the data need one test.
    rng = np.random.default_rng(0)
    for _ in range(400):
        counts = [int(n) for n in rng.poisson(8, 78)]
        result = its.segmented_poisson(counts, 52)
        if (result.level.significant or result.trend.significant) and not (
            result.larger_than_chance
        ):
            break
    else:
        pytest.fail("no series where an interval alone excludes 1 and the joint test does not")
    with translation.override("en"):
        text = services.effect_conclusion(result)
    assert "No change beyond chance can be seen (joint test of level and trend, p = " in text


def test_a_small_region_with_21_cases_is_told_the_estimate_is_too_imprecise():
    # The example: a region with 21 cases over 78 weeks, a level interval of about
    # 0.05–7.2; "no change beyond chance" would read as evidence of no change.
    counts = [0] * 78
    for week in (2, 5, 9, 12, 16, 20, 23, 27, 30, 33, 37, 41, 44, 48, 51, 55, 60, 64, 69, 73, 77):
        counts[week] = 1
    result = its.segmented_poisson(counts, 52)
    assert result.total == 21 and not result.too_short
    assert not result.larger_than_chance
    assert result.level.width > its.PRECISION_RATIO and result.imprecise
    with translation.override("en"):
        text = services.effect_conclusion(result)
    assert "Too imprecise to conclude: the upper limit of the level interval is more than 4" in text
    assert "No change beyond chance" not in text


def _seasonal_months(n: int) -> list[int]:
    """The month of year of each of ``n`` weeks from Monday 2024-01-01."""
    return [(dt.date(2024, 1, 1) + dt.timedelta(weeks=w)).month for w in range(n)]


def test_seasonality_takes_a_recurring_summer_peak_out_of_the_effect():
    # No change at all, but a summer peak; the intervention (week 74, 2 June 2025) falls at its
    # start. Without month terms the peak looks like an effect; with them it does not.
    months = _seasonal_months(104)
    means = [8 * (2.0 if m in (6, 7, 8) else 1.0) for m in months]
    counts = [int(n) for n in np.random.default_rng(3).poisson(means)]
    plain = its.segmented_poisson(counts, 74)
    seasonal = its.segmented_poisson(counts, 74, months=months)
    assert plain.larger_than_chance
    assert seasonal.seasonal and not seasonal.larger_than_chance
    assert seasonal.level.low <= 1 <= seasonal.level.high
    assert seasonal.df_resid == 104 - 4 - 11


def test_a_control_series_takes_a_change_common_to_both_out_of_the_effect():
    # Both series double at the intervention (a change that is not the campaign's: a new
    # recording rule). Alone, the series shows a change; against the control, none.
    rng = np.random.default_rng(0)
    means = [10.0] * 40 + [20.0] * 30
    counts = [int(n) for n in rng.poisson(means)]
    control = [int(n) for n in rng.poisson(np.array(means) * 1.5)]
    alone = its.segmented_poisson(counts, 40)
    compared = its.segmented_poisson(counts, 40, control=control)
    assert alone.larger_than_chance and alone.level.low > 1.2
    assert compared.controlled and not compared.larger_than_chance
    assert compared.level.low <= 1 <= compared.level.high
    assert compared.df_resid == 2 * 70 - 8
    with translation.override("en"):
        assert services.effect_conclusion(compared).startswith(
            "Compared with the control series: the ratios below are those of the cases relative"
        )
    # A change in the series only is still found against the control.
    lifted = [
        n + int(k) for n, k in zip(counts, rng.poisson([0.0] * 40 + [10.0] * 30), strict=True)
    ]
    assert its.segmented_poisson(lifted, 40, control=control).larger_than_chance


def test_the_placebo_check_fits_fake_dates_before_the_intervention_only():
    rng = np.random.default_rng(4)
    # 52 weeks before (a fall in week 30 that is no campaign's), 26 after.
    before = [int(n) for n in rng.poisson([20.0] * 30 + [6.0] * 22)]
    after = [int(n) for n in rng.poisson([6.0] * 26)]
    result = its.segmented_poisson(before + after, 52, placebo=True)
    # Fake dates from week 13 (a quarter of 52) to week 39 (13 before the end): 27 candidates,
    # of which MAX_PLACEBO_FITS (20) evenly spaced; those near week 30 see the fall: the
    # pre-period is not a stable baseline.
    assert its.MAX_PLACEBO_FITS == 20
    assert result.placebo.fits == 20 and result.placebo.larger >= 11
    clean = its.segmented_poisson([int(n) for n in rng.poisson([12.0] * 78)], 52, placebo=True)
    assert clean.placebo.fits == 20 and clean.placebo.larger <= 3
    # Too few periods before the intervention for fake dates: no placebo check.
    assert its.segmented_poisson([12] * 14 + [13] * 20, 14, placebo=True).placebo is None
    assert its.segmented_poisson(before + after, 52).placebo is None  # not asked


def test_no_case_on_one_side_is_said_plainly_not_as_too_few_data():
    # A small region whose cases all came before the intervention: its quiet weeks up to the
    # cut-off are real zeros, and the sentence says what they show.
    result = its.segmented_poisson([3, 2, 4] * 10 + [0] * 20, 30)
    assert result.one_side_empty and result.level is None and result.total == 90
    with translation.override("en"):
        text = services.effect_conclusion(result)
    assert text.startswith("There is no case on one side of the intervention")
    assert its.segmented_poisson([0] * 30 + [2] * 20, 30).one_side_empty
    assert not its.segmented_poisson([0] * 29 + [1] + [2] * 20, 30).one_side_empty
