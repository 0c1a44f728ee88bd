"""Rates: their unit (per 100,000 or per 10,000 people, per year) and the time they cover.

A rate is annualised: cases ÷ (population at the period's mid-point × years of the period) ×
the unit. The years of a period are counted calendar year by calendar year (the days of the
period in each year ÷ the days of that year), so that a whole calendar year is exactly 1 and
a 107-day period of 2025 is 107/365. The period runs from its first day, or the day the
counted articles came into force when later (nothing could be registered before), to its
last day, or today when the period has not ended yet (docs/stats.md, "Rates and
denominators").
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

# International practice (UNODC, Eurostat, WHO): per 100,000 population; Kazakhstan's legal
# statistics (the Committee on Legal Statistics and Special Records) publish per 10,000.
PER_100K = 100_000
PER_10K = 10_000
UNITS = (PER_100K, PER_10K)
DEFAULT_PER = PER_100K


@dataclass(frozen=True)
class Unit:
    """The unit of a rate: per ``per`` people per year."""

    per: int = DEFAULT_PER

    def __post_init__(self) -> None:
        if self.per not in UNITS:
            raise ValueError(f"unsupported rate unit: per {self.per}")

    @property
    def label(self) -> str:
        """``per 100,000 per year`` in the active language."""
        if self.per == PER_10K:
            return _("per 10,000 per year")
        return _("per 100,000 per year")

    @property
    def code(self) -> str:
        """The unit in exported files' metadata (not translated)."""
        return f"per {self.per:,} per year"


def person_years(start: dt.date, end: dt.date) -> float:
    """The length of ``start``…``end`` (both included) in years, year by calendar year; 0.0
    when the period is empty (``end`` before ``start``)."""
    if end < start:
        return 0.0
    years = 0.0
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        years += ((last - first).days + 1) / length
    return years


def per_year(count: float, population: float, years: float, unit: Unit) -> float:
    """``count`` as an annualised rate in ``unit``."""
    return count / (population * years) * unit.per
