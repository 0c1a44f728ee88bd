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
