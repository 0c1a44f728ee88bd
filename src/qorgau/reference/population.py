"""Which population counts: the one place that picks a region's population for a period.

A rate divides by the population at the **mid-point of its period** (docs/stats.md, "Rates and
denominators"): linear interpolation between the two figures of the region dated on either side
of the mid-point, the figure itself when one is dated on the mid-point or the day next to it
(the official mid-year figure of 1 July, for a calendar year), and the nearest figure carried flat when figures lie on one side
only (the rate then says so). A region without any figure has no rate: no figure is ever
invented. Statistics, the public page, training coverage and the letters all ask here.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import PopulationFigure, Region


class Method:
    """How a period's population was obtained from the figures (stored in English codes)."""

    FIGURE = "figure"  # a figure dated on the mid-point
    INTERPOLATED = "interpolated"  # between the figures before and after the mid-point
    CARRIED_FORWARD = "carried forward"  # only earlier figures: the latest, flat
    CARRIED_BACK = "carried back"  # only later figures: the earliest, flat


@dataclass(frozen=True)
class Denominator:
    """A region's population at ``on`` (a period's mid-point), from ``figures`` by ``method``."""

    region_id: int
    on: dt.date
    population: float
    method: str
    figures: tuple[PopulationFigure, ...]

    @property
    def people(self) -> int:
        """The population rounded to a whole number of people (for display)."""
        return round(self.population)

    @property
    def extrapolated(self) -> bool:
        """True when the figures lie on one side of the mid-point only (a flat carry)."""
        return self.method in (Method.CARRIED_FORWARD, Method.CARRIED_BACK)

    @property
    def dates(self) -> str:
        """The reference dates of the figures used, ``2025-01-01–2026-01-01`` or one date."""
        return "–".join(f.reference_date.isoformat() for f in self.figures)

    @property
    def sources(self) -> str:
        """The sources of the figures used (each once), with their vintage when known."""
        seen: list[str] = []
        for figure in self.figures:
            text = figure.source
            if figure.vintage:
                text += " (" + _("vintage %(date)s") % {"date": figure.vintage.isoformat()} + ")"
            if text not in seen:
                seen.append(text)
        return "; ".join(seen)

    def describe(self) -> str:
        """How the population was obtained, in the active language."""
        figure = self.figures[0]
        values = {"date": figure.reference_date.isoformat(), "on": self.on.isoformat()}
        if self.method == Method.FIGURE:
            return _("figure of %(date)s") % values
        if self.method == Method.INTERPOLATED:
            values["end"] = self.figures[1].reference_date.isoformat()
            return _("interpolated to %(on)s between %(date)s and %(end)s") % values
        if self.method == Method.CARRIED_FORWARD:
            return _("figure of %(date)s carried forward (no later figure)") % values
        return _("figure of %(date)s carried back (no earlier figure)") % values


def mid_point(start: dt.date, end: dt.date) -> dt.date:
    """The middle day of ``start``…``end`` (both included; the earlier of two middle days)."""
    return start + dt.timedelta(days=(end - start).days // 2)


def interpolate(day: dt.date, before: PopulationFigure, after: PopulationFigure) -> float:
    """The population on ``day`` on the straight line between two figures."""
    span = (after.reference_date - before.reference_date).days
    share = (day - before.reference_date).days / span
    return before.population + (after.population - before.population) * share


def for_day(
    day: dt.date, regions: Iterable[Region] | None = None, near: int = 0
) -> dict[int, Denominator]:
    """For each region (by primary key) that has any population figure, its population on
    ``day`` (:class:`Denominator`); ``regions`` narrows the answer (all when None). A figure
    dated at most ``near`` days from ``day`` is taken as the figure of ``day`` (the nearest;
    the earlier of two as near)."""
    figures = PopulationFigure.objects.order_by("reference_date")
    if regions is not None:
        figures = figures.filter(region__in=[region.pk for region in regions])
    by_region: dict[int, list[PopulationFigure]] = {}
    for figure in figures:
        by_region.setdefault(figure.region_id, []).append(figure)
    answer = {}
    for region_id, series in by_region.items():
        before = [f for f in series if f.reference_date <= day]
        after = [f for f in series if f.reference_date > day]
        close = sorted(
            ((abs((f.reference_date - day).days), f.reference_date), f)
            for f in series
            if abs((f.reference_date - day).days) <= near
        )
        if close:
            exact = close[0][1]
            found = Denominator(region_id, day, exact.population, Method.FIGURE, (exact,))
        elif before and after:
            pair = (before[-1], after[0])
            people = interpolate(day, *pair)
            found = Denominator(region_id, day, people, Method.INTERPOLATED, pair)
        elif before:
            only = before[-1]
            found = Denominator(region_id, day, only.population, Method.CARRIED_FORWARD, (only,))
        else:
            only = after[0]
            found = Denominator(region_id, day, only.population, Method.CARRIED_BACK, (only,))
        answer[region_id] = found
    return answer


def for_period(
    start: dt.date, end: dt.date, regions: Iterable[Region] | None = None
) -> dict[int, Denominator]:
    """The population of each region at the mid-point of ``start``…``end`` (:func:`for_day`).
    A figure dated the day before or after the mid-point is the period's own (a calendar
    year's middle day is 2 July; the official mid-year figure is of 1 July)."""
    return for_day(mid_point(start, end), regions, near=1)


def latest_by_region(
    day: dt.date | None = None, regions: Iterable[Region] | None = None
) -> dict[int, PopulationFigure]:
    """For each region (by primary key), its latest population figure dated on or before
    ``day`` (any date when None); a region without such a figure is absent. ``regions``
    narrows the answer to these regions (all when None). (What a figure *was*, e.g. for the
    reference pages; a rate asks :func:`for_period`.)"""
    figures = PopulationFigure.objects.all()
    if day is not None:
        figures = figures.filter(reference_date__lte=day)
    if regions is not None:
        figures = figures.filter(region__in=[region.pk for region in regions])
    latest: dict[int, PopulationFigure] = {}
    # Oldest first: a later figure of the same region replaces an earlier one.
    for figure in figures.order_by("reference_date"):
        latest[figure.region_id] = figure
    return latest


def latest(region: Region, day: dt.date | None = None) -> PopulationFigure | None:
    """``region``'s latest population figure dated on or before ``day`` (any date when None),
    or None when there is none."""
    return latest_by_region(day, [region]).get(region.pk)
