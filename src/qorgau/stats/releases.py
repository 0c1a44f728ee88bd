"""The public statistics as dated, numbered releases (docs/stats.md, "Releases").

Public figures are never live. A release freezes, on a publication calendar (a calendar month
by default, or a quarter: setting ``RELEASE_CALENDAR``; published on day ``RELEASE_DAY`` of the
month after the period ends), the table of cases registered in its **reference period** — a
fixed calendar period, never a rolling window — by region and article, protected by the one
disclosure policy (:mod:`qorgau.stats.disclosure`), with its data cut-off (the instant the
counts were taken), the methods version and the exact counts behind it (kept for the audit and
the revisions, never published). Demonstration data is never counted.

A later correction is a new release of the same period that ``revises`` the one before; its
revisions table says what changed, by how much and why — the amount only where both the old
and the new figure were published, so that a revision never reveals a protected count.

:func:`audit` proves the policy over everything ever published: for each protected cell of every
release, the integer values consistent with all releases and their totals (an integer linear
programme, SciPy's ``milp``) must number at least the threshold.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import write
from qorgau.core.actors import Actor
from qorgau.core.db import read_only_alias
from qorgau.core.errors import Conflict, Invalid
from qorgau.reference import population
from qorgau.reference.models import Article, Region
from qorgau.registry.models import Case

from . import actions, disclosure, intervals, rates
from .aggregates import day_start
from .models import Release

# The methods a release was computed by: counts of cases registered in the period by local
# (Asia/Almaty) date of registration, region and current article; demonstration data left out;
# small counts protected by stats.disclosure.suppress_with_total. Raised when any of it changes.
METHODS_VERSION = "2026.2"
CALENDARS = {"monthly": 1, "quarterly": 3}


@dataclass(frozen=True)
class Period:
    """A reference period: calendar months ``start``…``end`` (both days included)."""

    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        """``2026-03`` for a month, ``2026-Q1`` for a quarter."""
        if months() == 3:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"


def months() -> int:
    """How many months a reference period spans (``RELEASE_CALENDAR``)."""
    try:
        return CALENDARS[settings.RELEASE_CALENDAR]
    except KeyError:
        raise ImproperlyConfigured(
            f"RELEASE_CALENDAR must be one of {sorted(CALENDARS)}, "
            f"got {settings.RELEASE_CALENDAR!r}"
        ) from None


def _month_after(day: dt.date, n: int = 1) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(day: dt.date) -> Period:
    """The calendar period of the release calendar that holds ``day``."""
    n = months()
    start = dt.date(day.year, (day.month - 1) // n * n + 1, 1)
    return Period(start, _month_after(start, n) - dt.timedelta(days=1))


def parse_period(text: str) -> Period:
    """A period from ``YYYY-MM`` (monthly calendar) or ``YYYY-Qn`` (quarterly)."""
    try:
        if months() == 3:
            year, quarter = text.split("-Q")
            if not 1 <= int(quarter) <= 4:
                raise ValueError(text)
            return period_containing(dt.date(int(year), int(quarter) * 3, 1))
        year, month = text.split("-")
        return period_containing(dt.date(int(year), int(month), 1))
    except ValueError:
        example = "2026-Q1" if months() == 3 else "2026-03"
        raise Invalid(
            "period", _("A period is written like %(example)s.") % {"example": example}
        ) from None


def publication_day(period: Period) -> dt.date:
    """The day the release of ``period`` is due: ``RELEASE_DAY`` of the month after it ends."""
    first = period.end + dt.timedelta(days=1)
    return first.replace(day=min(max(settings.RELEASE_DAY, 1), 28))


def first_period() -> Period | None:
    """The period of the earliest entry into force of an article the public table shows."""
    first = min((a.in_force_on for a in Article.objects.all()), default=None)
    return period_containing(first) if first else None


def due(today: dt.date | None = None) -> list[Period]:
    """The periods whose release is due by ``today`` (local) and not yet published: none that
    overlaps a published release's period (after a change of ``RELEASE_CALENDAR``, a month
    inside a quarter already published is not released again: the two would difference)."""
    today = today or timezone.localdate()
    period = first_period()
    published = list(Release.objects.values_list("period_start", "period_end"))
    found = []
    while period is not None and publication_day(period) <= today:
        if not any(start <= period.end and period.start <= end for start, end in published):
            found.append(period)
        period = period_containing(period.end + dt.timedelta(days=1))
    return found


def exact_counts(period: Period, articles: list[str], regions: list[str]) -> dict:
    """Cases registered in ``period`` (local dates), demonstration data left out:
    ``{article: {region: n}}`` with every article and region (0 where none)."""
    rows = (
        Case.objects.filter(
            is_demo=False,
            registered_at__gte=day_start(period.start),
            registered_at__lt=day_start(period.end + dt.timedelta(days=1)),
        )
        .values_list("article_part__article__code", "region__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {a: dict.fromkeys(regions, 0) for a in articles}
    for article, region, n in rows:
        if article in counts and region in counts[article]:
            counts[article][region] = n
    return counts


def protect(counts: dict, articles: list[str], regions: list[str], threshold: int):
    """The published cells and totals of the counts: each article's column by
    :func:`~qorgau.stats.disclosure.suppress_with_total`."""
    cells, totals = {}, {}
    for article in articles:
        column, total = disclosure.suppress_with_total(
            [counts[article][r] for r in regions], threshold
        )
        cells[article] = dict(zip(regions, column, strict=True))
        totals[article] = total
    return cells, totals


def published_rates(period: Period, counts: dict, cells: dict, totals: dict) -> dict:
    """The rates a release publishes: for each count published as a number (a region's, or
    the national total), cases per 100,000 people per year over the days of the period the
    article was in force, with the exact (Garwood) 95% interval, and the population used (at
    the mid-point of those days: ``reference.population``). None where the count is protected,
    the article was not in force, or the region has no population figure."""
    in_force = dict(Article.objects.values_list("code", "in_force_on"))
    regions = {r.pk: r.code for r in Region.objects.all()}
    unit = rates.Unit(rates.PER_100K)
    found: dict[str, dict[str, dict | None]] = {}
    for article, column in cells.items():
        start = max(period.start, in_force.get(article) or period.start)
        years = rates.person_years(start, period.end)
        people = {
            regions[d.region_id]: d for d in population.for_period(start, period.end).values()
        }
        found[article] = {}
        shown = dict(column) | {"": totals[article]}
        for region, cell in shown.items():
            # The national rate ("") needs every region's population.
            codes = [region] if region else list(column)
            figures = [people[code] for code in codes if code in people]
            if not str(cell).isdigit() or not years or len(figures) < len(codes):
                found[article][region] = None
                continue
            n = int(cell)
            total = sum(d.population for d in figures)
            low, high = intervals.poisson_interval(n)
            found[article][region] = {
                "rate": round(rates.per_year(n, total, years, unit), 3),
                "low": round(rates.per_year(low, total, years, unit), 3),
                "high": round(rates.per_year(high, total, years, unit), 3),
                "population": round(total),
                "method": figures[0].method if region else "sum of regions",
                "figures": figures[0].dates if region else "",
            }
    return found


def _digest(period: Period, articles, regions, cells, totals, rates_=None) -> str:
    published = {
        "period": [period.start.isoformat(), period.end.isoformat()],
        "articles": articles,
        "regions": regions,
        "cells": cells,
        "totals": totals,
        "rates": rates_ or {},
    }
    text = json.dumps(published, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _lock() -> None:
    """One publisher at a time: release numbers are gapless and a period is published once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE stats_release IN EXCLUSIVE MODE")


def _make(period: Period, now: dt.datetime, revises: Release | None, reason: str) -> Release:
    articles = list(Article.objects.order_by("code").values_list("code", flat=True))
    regions = list(Region.objects.values_list("code", flat=True))
    threshold = disclosure.small_count_threshold()
    counts = exact_counts(period, articles, regions)
    cells, totals = protect(counts, articles, regions, threshold)
    published = published_rates(period, counts, cells, totals)
    last = Release.objects.order_by("-number").values_list("number", flat=True).first()
    return Release(
        number=(last or 0) + 1,
        period_start=period.start,
        period_end=period.end,
        cut_off=now,
        published_at=now,
        methods_version=METHODS_VERSION,
        threshold=threshold,
        articles=articles,
        regions=regions,
        counts=counts,
        cells=cells,
        totals=totals,
        rates=published,
        digest=_digest(period, articles, regions, cells, totals, published),
        revises=revises,
        reason=reason,
    )


def _summary(release: Release) -> dict:
    return {
        "number": release.number,
        "period": [release.period_start.isoformat(), release.period_end.isoformat()],
        "cut_off": release.cut_off.isoformat(),
        "methods_version": release.methods_version,
        "threshold": release.threshold,
        "digest": release.digest,
        "revises": release.revises.number if release.revises else None,
    }


def publish(actor: Actor, period: Period, *, now: dt.datetime | None = None) -> Release:
    """Publish the release of ``period``: due on its publication day, once (a later change is
    a correction: :func:`correct`)."""
    policy.ensure(actor, "stats.publish")
    now = now or timezone.now()
    today = timezone.localdate(now)
    if publication_day(period) > today:
        raise Invalid(
            "period",
            _("The release of %(period)s is due on %(day)s, not before.")
            % {"period": period.key, "day": publication_day(period).isoformat()},
        )
    with transaction.atomic():
        _lock()
        overlapping = Release.objects.filter(
            period_start__lte=period.end, period_end__gte=period.start
        ).first()
        if overlapping is not None and overlapping.period_start == period.start:
            raise Conflict(
                _("The release of %(period)s is already published; correct it instead.")
                % {"period": period.key}
            )
        if overlapping is not None:
            # Periods that overlap would difference each other (a quarter less two of its
            # months is the third); the audit models none (docs/stats.md, "Releases").
            raise Conflict(
                _("The period %(period)s overlaps release No. %(n)d (%(start)s–%(end)s).")
                % {
                    "period": period.key,
                    "n": overlapping.number,
                    "start": overlapping.period_start.isoformat(),
                    "end": overlapping.period_end.isoformat(),
                }
            )
        release = _make(period, now, None, "")
        release.save()
        write(actor, actions.RELEASE_PUBLISH, release, after=_summary(release))
    return release


def publish_due(actor: Actor, *, now: dt.datetime | None = None) -> list[Release]:
    """Publish every release that is due and not yet published, oldest first."""
    now = now or timezone.now()
    return [publish(actor, period, now=now) for period in due(timezone.localdate(now))]


def standing(release: Release) -> Release:
    """The release that stands for ``release``'s period now (its latest correction)."""
    while True:
        newer = Release.objects.filter(revises=release).first()
        if newer is None:
            return release
        release = newer


def correct(actor: Actor, number: int, reason: str, *, now: dt.datetime | None = None) -> Release:
    """A correction of release ``number``: its period counted again now, published as a new
    release that revises it, with the ``reason`` (required)."""
    policy.ensure(actor, "stats.publish")
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise Invalid("reason", _("Say why the release is corrected."))
    if len(reason) > 2000:
        raise Invalid("reason", _("The reason is longer than 2,000 characters."))
    now = now or timezone.now()
    with transaction.atomic():
        _lock()
        old = Release.objects.filter(number=number).first()
        if old is None:
            raise Invalid("number", _("There is no release No. %(n)d.") % {"n": number})
        newest = standing(old)
        if newest.pk != old.pk:
            raise Conflict(
                _("Release No. %(old)d was already corrected by release No. %(new)d.")
                % {"old": old.number, "new": newest.number}
            )
        period = Period(old.period_start, old.period_end)
        release = _make(period, now, old, reason)
        if release.counts == old.counts and release.articles == old.articles:
            raise Conflict(
                _("The figures of release No. %(n)d have not changed: nothing to correct.")
                % {"n": old.number}
            )
        release.save()
        write(
            actor,
            actions.RELEASE_CORRECT,
            release,
            before=_summary(old),
            after=_summary(release),
            details={"reason": reason},
        )
    return release


@dataclass(frozen=True)
class Revision:
    """A published figure that a correction changed: ``article``, ``region`` ("" for the
    total), the figure before and after as published, and the change where both were
    published as numbers (else None: the amount would reveal a protected count)."""

    article: str
    region: str
    before: str
    after: str

    @property
    def change(self) -> int | None:
        if self.before.isdigit() and self.after.isdigit():
            return int(self.after) - int(self.before)
        return None


def revisions(release: Release) -> list[Revision]:
    """What ``release`` changed in the release it revises (none for a first release)."""
    old = release.revises
    if old is None:
        return []
    found = []
    for article in release.articles:
        for region in [*release.regions, ""]:
            after = release.totals[article] if not region else release.cells[article][region]
            if article not in old.articles or (region and region not in old.regions):
                before = ""
            else:
                before = old.totals[article] if not region else old.cells[article][region]
            if before != after:
                found.append(Revision(article, region, before, after))
    return found


def published() -> QuerySet[Release]:
    """The releases, for reading (they are public): from the statistics' read-only database
    (a streaming replica when there is one: ``core.db.read_only_alias``)."""
    return Release.objects.using(read_only_alias())


def archive() -> list[Release]:
    """Every release ever published, newest first."""
    return list(published().select_related("revises").order_by("-number"))


def find(number: int) -> Release | None:
    """Release ``number``, or None."""
    return published().select_related("revises").filter(number=number).first()


def latest() -> Release | None:
    """The release the public page shows: the latest period's standing release."""
    return published().select_related("revises").order_by("-period_start", "-number").first()


# --- The disclosure audit ---------------------------------------------------------------------

# The greatest value the audit lets a hidden count take when nothing published bounds it.
UNBOUNDED = 10**9


@dataclass(frozen=True)
class Finding:
    """A protected cell of a release and the least and greatest values consistent with
    everything published; ``safe`` when at least ``threshold`` values remain possible."""

    release: int
    article: str
    region: str
    cell: str
    low: int
    high: int
    threshold: int

    @property
    def safe(self) -> bool:
        return self.high - self.low + 1 >= self.threshold


def _bounds(cell: str, threshold: int) -> tuple[int, int]:
    """What a reader who knows the rule learns from one published cell."""
    if cell.isdigit():
        return int(cell), int(cell)
    if cell == disclosure.SUPPRESSED_SECONDARY:
        # suppress_with_total hides the first count above the threshold.
        return threshold + 1, UNBOUNDED
    return 1, threshold  # "<t+1"


@dataclass
class _Model:
    """What was published, as an integer linear system: one variable per cell of each
    release, its bounds, and the rows ``least <= sum(coefficient * variable) <= most``
    (totals, revisions, withheld totals); a withheld total without "*" adds one 0/1
    variable."""

    index: dict[tuple[int, str, str], int]
    low: list[int]
    high: list[int]
    rows: list[dict[int, int]]
    least: list[int]
    most: list[int]
    protected: list[tuple[Release, str, str, str]]

    def row(self, coefficients: dict[int, int], least: int, most: int) -> None:
        self.rows.append(coefficients)
        self.least.append(least)
        self.most.append(most)


def _withheld(model: _Model, release: Release, article: str) -> None:
    """What a withheld total tells a reader who knows ``suppress_with_total``: the hidden
    cells' excess over their least values (1 for "<t+1", t+1 for "*") is below t with a "*";
    without one (and k ≥ 2 small counts) it is below t − 1 or above (k − 1)(t − 1)."""
    t = release.threshold
    cells = {r: str(release.cells[article][r]) for r in release.regions}
    hidden = [
        model.index[(release.number, article, r)] for r, c in cells.items() if not c.isdigit()
    ]
    stars = sum(1 for c in cells.values() if c == disclosure.SUPPRESSED_SECONDARY)
    k = len(hidden) - stars
    least = k + stars * (t + 1)
    if stars:
        model.row(dict.fromkeys(hidden, 1), least, least + t - 1)
    elif k >= 2:
        # Either branch, by a 0/1 variable z: excess − big·z ≤ t − 2 and excess − big·z ≥
        # (k − 1)(t − 1) + 1 − big.
        big = k * t
        z = len(model.low)
        model.low.append(0)
        model.high.append(1)
        coefficients = dict.fromkeys(hidden, 1) | {z: -big}
        model.row(coefficients, -(10**12), k + t - 2)
        model.row(coefficients, k + (k - 1) * (t - 1) + 1 - big, 10**12)


def _model(releases: list[Release]) -> _Model:
    model = _Model({}, [], [], [], [], [], [])
    for release in releases:
        for article in release.articles:
            for region in release.regions:
                cell = str(release.cells[article][region])
                model.index[(release.number, article, region)] = len(model.low)
                lo, hi = _bounds(cell, release.threshold)
                model.low.append(lo)
                model.high.append(hi)
                if not cell.isdigit():
                    model.protected.append((release, article, region, cell))
    for release in releases:
        for article in release.articles:
            total = str(release.totals[article])
            if total.isdigit():
                cells = [model.index[(release.number, article, r)] for r in release.regions]
                model.row(dict.fromkeys(cells, 1), int(total), int(total))
            else:
                _withheld(model, release, article)
        # A revision's published amount links two published numbers: it adds a constraint that
        # already holds between fixed cells, kept so the model is everything that was published.
        old = release.revises
        for revision in revisions(release):
            key_old = (old.number if old else 0, revision.article, revision.region)
            change = revision.change
            if change is None or not revision.region or key_old not in model.index:
                continue
            key_new = (release.number, revision.article, revision.region)
            model.row({model.index[key_new]: 1, model.index[key_old]: -1}, change, change)
    return model


def audit(releases: list[Release] | None = None) -> list[Finding]:
    """For every protected cell of ``releases`` (default: every release ever published),
    the interval of integer values consistent with all of them together: every published cell,
    every published total, every withheld total (what withholding it tells a reader who knows
    the rule: :func:`_withheld`), and every published revision (whose amounts are differences
    of published numbers). Two integer linear programmes per cell (SciPy's ``milp``)."""
    # SciPy is loaded here: the public page and a count need none of it.
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    releases = list(Release.objects.order_by("number")) if releases is None else releases
    model = _model(releases)
    n = len(model.low)
    if not model.protected:
        return []
    matrix = np.zeros((len(model.rows), n))
    for i, row in enumerate(model.rows):
        for j, coefficient in row.items():
            matrix[i, j] = coefficient
    constraints = [LinearConstraint(matrix, model.least, model.most)] if model.rows else []
    bounds = Bounds(np.array(model.low, dtype=float), np.array(model.high, dtype=float))
    findings = []
    for release, article, region, cell in model.protected:
        i = model.index[(release.number, article, region)]
        ends = []
        for direction in (1, -1):
            objective = np.zeros(n)
            objective[i] = direction
            result = milp(objective, constraints=constraints, bounds=bounds, integrality=np.ones(n))
            if not result.success:
                raise RuntimeError(f"the published tables are inconsistent: {result.message}")
            ends.append(round(result.x[i]))
        findings.append(
            Finding(release.number, article, region, cell, ends[0], ends[1], release.threshold)
        )
    return findings


def run_audit(actor: Actor) -> list[Finding]:
    """:func:`audit` of every release, for who may publish, recorded in the trail."""
    policy.ensure(actor, "stats.publish")
    findings = audit()
    unsafe = [f for f in findings if not f.safe]
    write(actor, actions.RELEASE_AUDIT, details={
        "releases": Release.objects.count(), "protected": len(findings),
        "unsafe": [[f.release, f.article, f.region] for f in unsafe],
    })  # fmt: skip
    return findings
