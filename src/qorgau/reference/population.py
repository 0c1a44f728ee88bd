"""Which population figure counts: the one place that picks a region's latest figure.

A rate per 100,000 divides by the population of its region as last published on or before the
end of the period counted (a figure published later did not exist then; no figure is ever
invented). Statistics, the public page, training coverage and the letters all ask here.
"""

import datetime as dt
from collections.abc import Iterable

from .models import PopulationFigure, Region


def latest_by_region(
    day: dt.date | None = None, regions: Iterable[Region] | None = None
) -> dict[int, PopulationFigure]:
    """For each region (by primary key), its latest population figure dated on or before
    ``day`` (any date when None); a region without such a figure is absent. ``regions``
    narrows the answer to these regions (all when None)."""
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
