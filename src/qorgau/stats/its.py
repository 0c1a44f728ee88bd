"""Interrupted time series: segmented Poisson regression of counts per period (docs/stats.md,
"Campaign effect (interrupted time series)").

Model: log E[y_t] = b0 + b1·t + b2·after_t + b3·(t − t0)·after_t, where ``after`` is 1 from the
intervention's period on. exp(b2) is the change of level (rate ratio at the intervention),
exp(b3) the change of trend per period. Periods can be left out of the fit (``use``) while
keeping their place on the time axis: the transition period that contains the intervention
date, and a first or last period only partly observed.

What a reviewer asks of it, and where it is done:

- Over-dispersion: quasi-Poisson, the scale is Pearson's χ² over the residual degrees of freedom,
  floored at 1 (:func:`_fit`): counts that vary less than Poisson do not make the intervals
  narrower than Poisson's.
- Intervals: Student's t with the residual degrees of freedom (the scale is estimated).
- One decision: the joint Wald F test of b2 = b3 = 0 (2 and the residual degrees of freedom)
  says whether the change is larger than chance, so a series without change is declared
  changed at most 5% of the time (``test_its_simulation.py`` holds this).
- Precision: a level interval whose upper limit is more than :data:`PRECISION_RATIO` times its
  lower limit is too imprecise to conclude anything (:attr:`ITSResult.imprecise`).
- Optional month-of-year seasonality (``months``) and a control series (``control``) for a
  comparative ITS: both series in one model, the effect is the difference between them.
- Placebo check (``placebo=True``): the same model fitted to the periods before the intervention
  only, at fake intervention dates; how many were "larger than chance" is reported.

The series must be long enough on both sides to conclude anything.
"""

import math
import warnings
from dataclasses import dataclass
from typing import Any

MIN_POINTS_EACH_SIDE = 8
MIN_TOTAL_COUNT = 20
# The joint test's level: a change is "larger than chance" when p < ALPHA; the intervals are
# 1 − ALPHA intervals.
ALPHA = 0.05
# The precision rule: when the level interval's upper limit is more than this many times its
# lower limit (wider than from half to double the estimate), the data cannot tell a change from
# none, and the conclusion says so instead of "no change beyond chance".
PRECISION_RATIO = 4.0
# A placebo check needs at least this many fake intervention dates to say anything.
MIN_PLACEBO_FITS = 5
# ... and uses at most this many, evenly spaced: a decade of weeks has hundreds of candidate
# dates, and each is a fit (all of them cost a second on the dashboard at national scale).
MAX_PLACEBO_FITS = 20


@dataclass(frozen=True)
class Effect:
    estimate: float  # a ratio (1 = no change)
    low: float
    high: float

    @property
    def significant(self) -> bool:
        """This interval alone excludes 1 (the conclusion asks the joint test instead)."""
        return self.low > 1 or self.high < 1

    @property
    def width(self) -> float:
        """The interval's upper limit over its lower limit (infinite when the lower is 0)."""
        return self.high / self.low if self.low > 0 else math.inf


@dataclass(frozen=True)
class Placebo:
    """The placebo check: ``fits`` fake intervention dates before the real one, of which
    ``larger`` gave a joint test "larger than chance"."""

    fits: int
    larger: int


@dataclass(frozen=True)
class ITSResult:
    points_before: int
    points_after: int
    total: int
    level: Effect | None
    trend: Effect | None
    too_short: bool
    baseline_trend: Effect | None = None
    # The joint F test of level and trend (b2 = b3 = 0): its p-value, with its degrees of freedom.
    joint_p: float | None = None
    df_resid: int | None = None
    # Pearson's χ² / df as estimated, and the scale used (that, floored at 1).
    dispersion: float | None = None
    scale: float | None = None
    placebo: Placebo | None = None
    seasonal: bool = False
    controlled: bool = False
    # No case at all before, or after, the intervention: the ratio is 0 or infinite.
    one_side_empty: bool = False

    @property
    def larger_than_chance(self) -> bool:
        """The joint test of level and trend rejects "no change" at :data:`ALPHA`."""
        return self.joint_p is not None and self.joint_p < ALPHA

    @property
    def imprecise(self) -> bool:
        """The level interval is wider than :data:`PRECISION_RATIO` (high / low)."""
        return self.level is not None and self.level.width > PRECISION_RATIO


@dataclass(frozen=True)
class _Fit:
    level: Effect
    trend: Effect
    baseline_trend: Effect
    joint_p: float
    df_resid: int
    dispersion: float
    scale: float


def _design(
    t: Any, index: int, months: Any | None, control: Any | None
) -> tuple[Any, tuple[int, int, int]]:
    """The design matrix for the periods at times ``t`` (and, with ``control``, the control
    series' counts stacked under the series' own) and the columns of the baseline trend, the
    level change and the trend change."""
    import numpy as np

    step = (t >= index).astype(float)
    since = np.where(step > 0, t - index, 0.0)
    one = np.ones(len(t))
    if control is None:
        columns = [one, t, step, since]
        where = (1, 2, 3)
        month_rows = months
    else:
        # Stacked: the series (g = 1) over the control (g = 0). Each has its own intercept and
        # trend; step and since are the control's changes, g·step and g·since the differences
        # the series adds to them: the comparative effect.
        zero = np.zeros(len(t))
        g = np.concatenate([one, zero])
        tt, ss, nn = (np.concatenate([x, x]) for x in (t, step, since))
        columns = [np.concatenate([one, one]), g, g * tt, (1 - g) * tt, ss, nn, g * ss, g * nn]
        where = (2, 6, 7)
        month_rows = None if months is None else np.concatenate([months, months])
    if month_rows is not None:
        # Month-of-year indicators (January the reference); a month with no period in the fit
        # has no column.
        for month in range(2, 13):
            column = (month_rows == month).astype(float)
            if column.any():
                columns.append(column)
    return np.column_stack(columns), where


def _fit(
    y: Any, t: Any, index: int, months: Any | None = None, control: Any | None = None
) -> _Fit | None:
    """Fit the model (None when it cannot be estimated: a design without full rank, no residual
    degree of freedom, or estimates that are not finite)."""
    import numpy as np
    import statsmodels.api as sm

    design, (base, level, trend) = _design(t, index, months, control)
    response = y if control is None else np.concatenate([y, control])
    n, k = design.shape
    if n - k < 2 or np.linalg.matrix_rank(design) < k:
        return None
    model = sm.GLM(response, design, family=sm.families.Poisson())
    with warnings.catch_warnings():
        # Divergent estimates (no case on one side) are caught below by their values.
        warnings.simplefilter("ignore")
        first = model.fit()
        dispersion = float(first.pearson_chi2 / first.df_resid)
        scale = max(1.0, dispersion)
        # Refitted with the scale fixed (floored at 1), and t / F reference distributions with
        # the residual degrees of freedom: statsmodels then gives the scaled covariance, the t
        # intervals and the F test. From the first fit's estimates it converges at once.
        fit = model.fit(start_params=first.params, scale=scale, use_t=True)
        conf = fit.conf_int(alpha=ALPHA)
        contrast = np.zeros((2, k))
        contrast[0, level] = contrast[1, trend] = 1.0
        joint = fit.wald_test(contrast, use_f=True, scalar=True)
    with np.errstate(over="ignore"):
        values = np.exp(np.column_stack([fit.params, conf]))
    p = float(joint.pvalue)
    if not np.all(np.isfinite(values)) or not math.isfinite(p):
        return None

    def effect(i: int) -> Effect:
        return Effect(float(values[i][0]), float(values[i][1]), float(values[i][2]))

    return _Fit(
        effect(level),
        effect(trend),
        effect(base),
        p,
        round(fit.df_resid),
        dispersion,
        scale,
    )


def _placebo(y: Any, t: Any, index: int, months: Any | None, control: Any | None) -> Placebo | None:
    """Fit the model to the periods before ``index`` only, at each fake intervention date from a
    quarter of them (and at least :data:`MIN_POINTS_EACH_SIDE` periods) in, to as far from
    their end — at most :data:`MAX_PLACEBO_FITS` of them, evenly spaced; None when fewer than
    :data:`MIN_PLACEBO_FITS` dates fit."""
    before = t < index
    yb, tb = y[before], t[before]
    mb = None if months is None else months[before]
    cb = None if control is None else control[before]
    n = len(tb)
    margin = max(MIN_POINTS_EACH_SIDE, math.ceil(n / 4))
    fakes: Any = range(margin, n - margin + 1)
    if len(fakes) < MIN_PLACEBO_FITS:
        return None
    if len(fakes) > MAX_PLACEBO_FITS:
        step = (len(fakes) - 1) / (MAX_PLACEBO_FITS - 1)
        fakes = sorted({fakes[round(i * step)] for i in range(MAX_PLACEBO_FITS)})
    fits = [_fit(yb, tb, int(tb[k]), mb, cb) for k in fakes]
    done = [f for f in fits if f is not None]
    if len(done) < MIN_PLACEBO_FITS:
        return None
    return Placebo(len(done), sum(f.joint_p < ALPHA for f in done))


def segmented_poisson(
    counts: list[int],
    intervention_index: int,
    use: list[bool] | None = None,
    *,
    months: list[int] | None = None,
    control: list[int] | None = None,
    placebo: bool = False,
) -> ITSResult:
    """Fit the model to ``counts`` (one per period, in order); the intervention starts at
    ``intervention_index`` (the first period 'after'). ``use`` (default: all) says which
    periods enter the fit; the others keep their place on the time axis. ``months``: the
    month of year (1–12) of each period, for seasonal terms; ``control``: a control series'
    counts, one per period, for a comparative ITS; ``placebo``: run the placebo check."""
    # Loaded here, not with the module: statsmodels takes over a second to import, and a count
    # (or a command's --help) needs none of it (tests/test_startup.py).
    import numpy as np

    keep = np.ones(len(counts), dtype=bool) if use is None else np.asarray(use, dtype=bool)
    t = np.arange(len(counts), dtype=float)[keep]
    y = np.asarray(counts, dtype=float)[keep]
    m = None if months is None else np.asarray(months)[keep]
    c = None if control is None else np.asarray(control, dtype=float)[keep]
    n = len(y)
    before = int(np.sum(t < intervention_index))
    after = n - before
    total = int(y.sum())
    too_short = (
        before < MIN_POINTS_EACH_SIDE or after < MIN_POINTS_EACH_SIDE or total < MIN_TOTAL_COUNT
    )
    seasonal, controlled = m is not None, c is not None
    if before < 2 or after < 2 or total == 0 or (c is not None and c.sum() == 0):
        return ITSResult(
            before, after, total, None, None, True, seasonal=seasonal, controlled=controlled
        )
    if not y[t < intervention_index].any() or not y[t >= intervention_index].any():
        return ITSResult(
            before, after, total, None, None, True, seasonal=seasonal, controlled=controlled,
            one_side_empty=True,
        )  # fmt: skip
    fit = _fit(y, t, intervention_index, m, c)
    if fit is None:
        # Degenerate data (e.g. a design without full rank): nothing can be estimated.
        return ITSResult(
            before, after, total, None, None, True, seasonal=seasonal, controlled=controlled
        )
    return ITSResult(
        before,
        after,
        total,
        fit.level,
        fit.trend,
        bool(too_short),
        fit.baseline_trend,
        joint_p=fit.joint_p,
        df_resid=fit.df_resid,
        dispersion=fit.dispersion,
        scale=fit.scale,
        placebo=_placebo(y, t, intervention_index, m, c) if placebo else None,
        seasonal=seasonal,
        controlled=controlled,
    )
