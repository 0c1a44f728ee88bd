"""Exact Poisson intervals (Garwood 1936) and funnel-plot limits.

For an observed count k, the exact two-sided (1−α) interval of its mean is
``[χ²(α/2; 2k)/2, χ²(1−α/2; 2k+2)/2]`` (the lower bound is 0 when k = 0). A rate divides it
by the population. For a funnel plot, a region with expected count E (national rate × its
population) has control limits for the ratio observed/expected
``[χ²(α/2; 2E)/2 ÷ E, χ²(1−α/2; 2E+2)/2 ÷ E]``. These continuous limits draw the funnel; a
region is named as outside only if its count is also improbable by the exact Poisson
probability (:func:`improbably_low`, :func:`improbably_high`): for a small E the drawn lower
limit is above 0 although 0 cases is a likely outcome.

SciPy is imported by each function, not with the module: it takes two seconds to load, and a
count or a command's --help needs none of it (tests/test_startup.py).
"""

from dataclasses import dataclass

PER = 100_000


def poisson_interval(count: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count."""
    from scipy.stats import chi2

    low = 0.0 if count == 0 else chi2.ppf(alpha / 2, 2 * count) / 2
    high = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return float(low), float(high)


def rate_interval(count: int, population: int, alpha: float = 0.05) -> tuple[float, float, float]:
    """(rate, low, high) per 100,000 population."""
    low, high = poisson_interval(count, alpha)
    return count / population * PER, low / population * PER, high / population * PER


def funnel_limits(expected: float, alpha: float) -> tuple[float, float]:
    """Limits of observed/expected for a region with expected count ``expected``."""
    from scipy.stats import chi2

    if expected <= 0:
        return 0.0, float("inf")
    low = chi2.ppf(alpha / 2, 2 * expected) / 2 / expected
    high = chi2.ppf(1 - alpha / 2, 2 * expected + 2) / 2 / expected
    return float(low), float(high)


def improbably_low(observed: int, expected: float, alpha: float) -> bool:
    """Is ``observed`` or fewer improbable for a Poisson count of mean ``expected``: exact
    P(X ≤ observed | expected) < α/2? (A region with 0 cases and E = 0.9 is not: P = 0.41.)"""
    from scipy.stats import poisson

    return expected > 0 and float(poisson.cdf(observed, expected)) < alpha / 2


def improbably_high(observed: int, expected: float, alpha: float) -> bool:
    """Is ``observed`` or more improbable: exact P(X ≥ observed | expected) < α/2?"""
    from scipy.stats import poisson

    if observed <= 0:
        return False
    return expected <= 0 or float(poisson.sf(observed - 1, expected)) < alpha / 2


# --- Over-dispersion (Spiegelhalter 2005, "Funnel plots for comparing institutional
# performance", Statistics in Medicine 24:1185–1202) -------------------------------------
#
# Each region's ratio O/E on the square-root scale: y = √(O/E), target 1, standard error
# s = 1/(2√E), so its z-score is 2(√O − √E). The 10% most extreme z-scores at each end are
# winsorised (set to the 10th and 90th percentiles), so that the outliers the plot is meant to
# find do not inflate the allowance. φ = Σz²/I over the I regions compared; Iφ is compared
# with χ²(I − 1). Multiplicative: limits 1 ± z_p·√φ·s (φ floored at 1). Additive
# (DerSimonian–Laird): τ² = (Iφ − (I − 1)) / (Σw − Σw²/Σw), w = 1/s², limits
# 1 ± z_p·√(s² + τ²) (τ² floored at 0). Both back-transformed by squaring.

OVERDISPERSION = ("none", "multiplicative", "additive")
WINSOR_SHARE = 0.1


def z_scores(observed: list[int], expected: list[float]) -> list[float]:
    """Square-root-scale z-scores 2(√O − √E) of regions with expected counts above 0."""
    return [2 * (o**0.5 - e**0.5) for o, e in zip(observed, expected, strict=True) if e > 0]


def winsorised(values: list[float], share: float = WINSOR_SHARE) -> list[float]:
    """``values`` with those below the ``share`` quantile raised to it and those above the
    1 − ``share`` quantile lowered to it (quantiles interpolated linearly, NumPy's default)."""
    import numpy as np

    if not values:
        return []
    low, high = np.quantile(values, [share, 1 - share])
    return [float(v) for v in np.clip(values, low, high)]


@dataclass(frozen=True)
class Overdispersion:
    """The over-dispersion of a set of regions and the allowance chosen for it."""

    method: str  # one of OVERDISPERSION
    compared: int  # I, the number of regions
    phi: float  # Σ(winsorised z)² / I, before flooring
    tau2: float  # the additive between-region variance (0 unless additive)
    p_value: float  # P(χ²(I − 1) ≥ Iφ): small when the regions differ beyond chance

    @property
    def applied(self) -> bool:
        """Whether the limits are wider than Poisson's (φ above 1, or τ² above 0)."""
        if self.method == "multiplicative":
            return self.phi > 1
        if self.method == "additive":
            return self.tau2 > 0
        return False

    def limits(self, expected: float, alpha: float) -> tuple[float, float]:
        """Limits of O/E for a region with expected count ``expected``: exact Poisson limits
        (:func:`funnel_limits`) when nothing is applied, else the widened ones."""
        from scipy.stats import norm

        if not self.applied or expected <= 0:
            return funnel_limits(expected, alpha)
        z = float(norm.ppf(1 - alpha / 2))
        variance = 1 / (4 * expected)
        if self.method == "multiplicative":
            spread = z * (self.phi * variance) ** 0.5
        else:
            spread = z * (variance + self.tau2) ** 0.5
        return max(0.0, 1 - spread) ** 2, (1 + spread) ** 2


def overdispersion(method: str, observed: list[int], expected: list[float]) -> Overdispersion:
    """φ (and τ² for ``additive``) of regions with these observed and expected counts."""
    from scipy.stats import chi2

    if method not in OVERDISPERSION:
        raise ValueError(f"unknown over-dispersion method: {method}")
    z = winsorised(z_scores(observed, expected))
    count = len(z)
    if count < 2:
        return Overdispersion(method, count, 1.0, 0.0, 1.0)
    phi = sum(v * v for v in z) / count
    p_value = float(chi2.sf(count * phi, count - 1))
    tau2 = 0.0
    if method == "additive":
        weights = [4 * e for e in expected if e > 0]
        total = sum(weights)
        tau2 = max(0.0, (count * phi - (count - 1)) / (total - sum(w * w for w in weights) / total))
    return Overdispersion(method, count, phi, tau2, p_value)
