"""Interrupted time series: segmented Poisson regression of counts per period.

Model: log E[y_t] = b0 + b1·t + b2·after_t + b3·(t − t0)·after_t, where ``after`` is 1 from the
intervention's period on. exp(b2) is the change of level (rate ratio at the intervention),
exp(b3) the change of trend per period. Periods can be left out of the fit (``use``) while
keeping their place on the time axis: the transition period that contains the intervention
date, and a first or last period only partly observed. Over-dispersion is allowed for (quasi-Poisson: the scale
is estimated from Pearson's χ²), so the intervals are not too narrow when counts vary more than
Poisson. The series must be long enough on both sides to conclude anything.
"""

from dataclasses import dataclass

MIN_POINTS_EACH_SIDE = 8
MIN_TOTAL_COUNT = 20


@dataclass(frozen=True)
class Effect:
    estimate: float  # a ratio (1 = no change)
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 1 or self.high < 1


@dataclass(frozen=True)
class ITSResult:
    points_before: int
    points_after: int
    total: int
    level: Effect | None
    trend: Effect | None
    too_short: bool
    baseline_trend: Effect | None = None


def segmented_poisson(
    counts: list[int], intervention_index: int, use: list[bool] | None = None
) -> ITSResult:
    """Fit the model to ``counts`` (one per period, in order); the intervention starts at
    ``intervention_index`` (the first period 'after'). ``use`` (default: all) says which
    periods enter the fit; the others keep their place on the time axis."""
    # Loaded here, not with the module: statsmodels takes over a second to import, and a count
    # (or a command's --help) needs none of it (tests/test_startup.py).
    import numpy as np
    import statsmodels.api as sm

    keep = np.ones(len(counts), dtype=bool) if use is None else np.asarray(use, dtype=bool)
    t_all = np.arange(len(counts), dtype=float)
    y = np.asarray(counts, dtype=float)[keep]
    t = t_all[keep]
    n = len(y)
    before = int(np.sum(t < intervention_index))
    after = n - before
    too_short = (
        before < MIN_POINTS_EACH_SIDE or after < MIN_POINTS_EACH_SIDE or y.sum() < MIN_TOTAL_COUNT
    )
    if before < 2 or after < 2 or y.sum() == 0:
        return ITSResult(before, after, int(y.sum()), None, None, True)
    step = (t >= intervention_index).astype(float)
    since = np.where(step > 0, t - intervention_index, 0.0)
    design = np.column_stack([np.ones(n), t, step, since])
    fit = sm.GLM(y, design, family=sm.families.Poisson()).fit(scale="X2")
    conf = fit.conf_int(alpha=0.05)

    with np.errstate(over="ignore"):
        values = np.exp(np.column_stack([fit.params, conf]))
    if not np.all(np.isfinite(values)):
        # Degenerate data (e.g. no case on one side): nothing can be estimated.
        return ITSResult(before, after, int(y.sum()), None, None, True)

    def effect(i: int) -> Effect:
        return Effect(float(values[i][0]), float(values[i][1]), float(values[i][2]))

    return ITSResult(before, after, int(y.sum()), effect(2), effect(3), bool(too_short), effect(1))
