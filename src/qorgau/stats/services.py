"""Statistics of the registry: counts, rates with exact intervals, regional comparison
(funnel plot) and campaign effect (interrupted time series).

Every query goes through the access policy (``stats.view``): an actor gets aggregates of their
own scope only. Periods are local (Kazakhstan) dates, both ends included.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.db import models
from django.db.models import BigIntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qorgau.access import policy
from qorgau.access.policy import Who  # an Actor, or a user (a page's request.user)
from qorgau.campaigns import services as campaigns
from qorgau.campaigns.models import DEFAULT_CAMPAIGN_DATE
from qorgau.core.db import read_only_alias
from qorgau.core.errors import Invalid
from qorgau.reference import iccs, population
from qorgau.reference.models import Article, Body, Region
from qorgau.reference.population import Denominator
from qorgau.registry.choices import CaseStatus, Decision, PartyRole
from qorgau.registry.models import Case, Party, Report

from . import intervals, its, rates
from .aggregates import day_start
from .disclosure import protected_cells, small_count_threshold
from .models import CaseCount, PartyCount, ReportCount

M = TypeVar("M", bound=models.Model)
# A row of a breakdown or a table: column -> value.
Row = dict[str, Any]

DIMENSIONS = {
    "region": "region__code",
    "article": "article_part__article__code",
    "status": "status",
    "victim_sex": "sex",
    "victim_age_band": "age_band",
    "relationship": "relationship",
    "termination_ground": "termination_ground",  # terminated cases only
}
# Breakdowns of reports (entries of the information registration book), by the same filters:
# the period is the date received, the article the one suggested on the report.
REPORT_DIMENSIONS = {
    "report_region": "region__code",
    "report_channel": "channel",
    "report_decision": "decision",
}
PARTY_DIMENSIONS = ("victim_sex", "victim_age_band", "relationship")
# Breakdowns that describe people (victims, suspects) or what became of them: for an actor who may
# not see cases one by one, each is counted over whole calendar quarters, lists every value, and
# is withheld or coarsened when few cases stand behind it (:func:`breakdown`).
PERSONAL_DIMENSIONS = (*PARTY_DIMENSIONS, "termination_ground", "status")
PERIODS = ("day", "week", "month", "quarter", "year")
# The dates a statistics request may name. Earlier than any article counted here (the oldest
# came into force in 2025) and far enough back for any comparison; the end bounds the charts.
EARLIEST_DATE = dt.date(2000, 1, 1)


def latest_date() -> dt.date:
    """The last date a statistics request may name: the end of next year (periods planned
    ahead, never year 9999)."""
    return dt.date(timezone.localdate().year + 1, 12, 31)


def _number(value: float, places: int) -> str:
    """A number for a sentence, with the active language's decimal separator (as in the
    tables). Rounded first: Django's ``number_format`` cuts digits off without rounding."""
    return number_format(round(value, places), places)


@dataclass(frozen=True)
class Filters:
    """What to count: articles (empty = all), a period of local dates, regions (empty = all)."""

    articles: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    regions: tuple[str, ...] = ()

    def check(self, actor: Who) -> "Filters":
        """Raise :class:`~qorgau.core.errors.Invalid` (naming the filter) for an unknown
        article or region, a date outside :func:`check_date`'s range, a period that ends before
        it begins, or a region outside the actor's statistics scope: its figures are not
        theirs."""
        known = set(Article.objects.values_list("code", flat=True))
        unknown = [a for a in self.articles if a not in known]
        if unknown:
            raise Invalid(
                "articles", _("Unknown article: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        check_date(self.date_from, "date_from")
        check_date(self.date_to, "date_to")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise Invalid("date_to", _("The period ends before it begins."))
        bad = set(self.regions) - set(Region.objects.values_list("code", flat=True))
        if bad:
            raise Invalid(
                "regions", _("Unknown region: %(codes)s") % {"codes": ", ".join(sorted(bad))}
            )
        allowed = set(policy.regions_for(actor, "stats.view").values_list("code", flat=True))
        outside = sorted(set(self.regions) - allowed)
        if outside:
            raise Invalid(
                "regions",
                _("Region outside your scope: %(codes)s") % {"codes": ", ".join(outside)},
            )
        return self

    @property
    def end(self) -> dt.date:
        return self.date_to or timezone.localdate()

    def describe(self) -> dict[str, Any]:
        return {
            "articles": list(self.articles) or "all",
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.end.isoformat(),
            "regions": list(self.regions) or "all",
        }


def check_date(day: dt.date | None, field: str | None = None) -> None:
    """Raise :class:`~qorgau.core.errors.Invalid` (about ``field``) unless ``day`` (when
    given) lies between :data:`EARLIEST_DATE` and :func:`latest_date`."""
    if day is not None and not EARLIEST_DATE <= day <= latest_date():
        raise Invalid(
            field,
            _("Dates must lie between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_DATE.isoformat(), "latest": latest_date().isoformat()},
        )


def _filtered(qs: QuerySet[M], filters: Filters, article: str, moment: str) -> QuerySet[M]:
    """``qs`` narrowed to the filters. A local date is a range on the stored instant (from the
    first day's local midnight, before the midnight after the last day), so the column's index
    is used: ``__date`` would cast every row's time to the time zone first."""
    if filters.articles:
        qs = qs.filter(**{f"{article}__in": filters.articles})
    if filters.date_from:
        qs = qs.filter(**{f"{moment}__gte": day_start(filters.date_from)})
    if filters.date_to:
        qs = qs.filter(**{f"{moment}__lt": day_start(filters.date_to + dt.timedelta(days=1))})
    if filters.regions:
        qs = qs.filter(region__code__in=filters.regions)
    return qs


def cases(actor: Who, filters: Filters) -> QuerySet[Case]:
    """The cases counted for ``filters``, within the actor's scope (the statistics themselves
    count :func:`case_counts`, which give the same numbers)."""
    qs = policy.scoped(actor, "stats.view", Case.objects.all())
    return _filtered(qs, filters, "article_part__article__code", "registered_at")


def reports(actor: Who, filters: Filters) -> QuerySet[Report]:
    """The reports counted for ``filters``, within the actor's scope: received in the period,
    with one of the articles suggested (when articles are chosen)."""
    qs = policy.scoped(actor, "stats.view", Report.objects.all())
    return _filtered(qs, filters, "suggested_article__code", "received_at")


# --- The aggregates (stats.models, kept exact by stats.aggregates' triggers) ---------------------

A = TypeVar("A", CaseCount, PartyCount, ReportCount)


def _total(column: str) -> Cast:
    """SUM of an aggregate's count, as an integer (PostgreSQL sums a bigint as a numeric)."""
    return Cast(Sum(column), BigIntegerField())


def _period_q(
    first: dt.date | None,
    last: dt.date | None,
    *,
    per_article: bool,
    coarse: str = "month",
    article_ids: list[int] | None = None,
    dims: bool = True,
) -> Q:
    """The aggregate rows that count the local days ``first``…``last`` (None: no bound) once
    each: the whole ``coarse`` periods (months, or weeks over all articles) inside from their
    grain, the days at either end outside a whole period from the day grain
    (``stats.aggregates.GRAINS``). Rows of the articles ``article_ids`` (per article), or of
    every article together (article 0). Every branch names the prefix of the tables' unique
    index (grain, article, day), so each is an index range. ``dims=False``: the case
    aggregate's months without status, where the count does not break down by it."""
    if per_article:
        day_grain, coarse_grains = "d", {"month": "m" if dims else "A"}
    else:
        day_grain, coarse_grains = "D", {"month": "M" if dims else "T", "week": "W"}

    def rows(grain: str, low: dt.date | None, high: dt.date | None, end: dt.date | None) -> Q:
        q = Q(grain=grain)
        if not per_article:
            q &= Q(article_id=0)
        elif article_ids is not None:
            q &= Q(article_id__in=article_ids)
        if low:
            q &= Q(day__gte=low)
        if high:
            q &= Q(day__lt=high)
        if end:
            q &= Q(day__lte=end)
        return q

    if coarse not in coarse_grains:
        return rows(day_grain, first, None, last)
    # Whole periods: starting on or after ``low``, before ``high`` (that ends after ``last``).
    low = first
    if first and period_start(first, coarse) != first:
        low = next_period(period_start(first, coarse), coarse)
    high = period_start(last + dt.timedelta(days=1), coarse) if last else None
    if low and high and low >= high:
        return rows(day_grain, first, None, last)
    q = rows(coarse_grains[coarse], low, high, None)
    if first and low and first < low:
        q |= rows(day_grain, first, low, None)
    if last and high and high <= last:
        q |= rows(day_grain, high, None, last)
    return q


def _aggregated(
    qs: QuerySet[A],
    filters: Filters,
    *,
    per_article: bool = False,
    coarse: str = "month",
    periods: Q | None = None,
    dims: bool = True,
) -> QuerySet[A]:
    """An aggregate narrowed to the filters (the articles, the local days, the regions), each
    day counted once at the coarsest grain that fits. ``per_article``: rows that keep the
    article (for a breakdown by article) even when no article is chosen; ``coarse="day"``:
    day rows only (for the latest day); ``"week"``: whole weeks over all articles.
    ``periods``: the rows of other periods than the filters' (:func:`_period_q`)."""
    if periods is None:
        ids = None
        if filters.articles:
            articles = Article.objects.filter(code__in=filters.articles)
            ids = list(articles.values_list("id", flat=True))
        periods = _period_q(
            filters.date_from,
            filters.date_to,
            per_article=per_article or bool(filters.articles),
            coarse=coarse,
            article_ids=ids,
            dims=dims,
        )
    qs = qs.filter(periods)
    if filters.regions:
        qs = qs.filter(region_id__in=Region.objects.filter(code__in=filters.regions).values("id"))
    return qs


def case_counts(actor: Who, filters: Filters, **grain: Any) -> QuerySet[CaseCount]:
    """The rows of the case aggregate counted for ``filters``, within the actor's scope (rows
    fallen to 0 left out): sum ``n``. ``grain``: as :func:`_aggregated`."""
    rows = CaseCount.objects.using(read_only_alias()).filter(n__gt=0)
    qs = policy.scoped(actor, "stats.view", rows)
    return _aggregated(qs, filters, **grain)


def party_counts(
    actor: Who, filters: Filters, dim: str | tuple[str, ...], column: str, **grain: Any
) -> QuerySet[PartyCount]:
    """The rows of the party aggregate for fact ``dim`` (or facts) counted for ``filters``,
    within the actor's scope, with ``column`` (``cases`` or ``parties``) above 0."""
    facts = Q(dim__in=dim) if isinstance(dim, tuple) else Q(dim=dim)
    rows = PartyCount.objects.using(read_only_alias()).filter(facts, **{f"{column}__gt": 0})
    return _aggregated(policy.scoped(actor, "stats.view", rows), filters, **grain)


def report_counts(actor: Who, filters: Filters) -> QuerySet[ReportCount]:
    """The rows of the report aggregate counted for ``filters``, within the actor's scope."""
    rows = ReportCount.objects.using(read_only_alias()).filter(n__gt=0)
    qs = policy.scoped(actor, "stats.view", rows)
    return _aggregated(qs, filters)


def case_count(actor: Who, filters: Filters) -> int:
    """How many cases :func:`cases` holds, from the aggregate."""
    return case_counts(actor, filters, dims=False).aggregate(total=_total("n"))["total"] or 0


def report_count(actor: Who, filters: Filters) -> int:
    """How many reports :func:`reports` holds, from the aggregate."""
    return report_counts(actor, filters).aggregate(total=_total("n"))["total"] or 0


def _per(qs: QuerySet[A], key: str, column: str = "n") -> dict[Any, int]:
    """``column`` summed per ``key``."""
    return dict(qs.values_list(key).annotate(total=_total(column)).order_by())


def regions_in_scope(actor: Who, filters: Filters) -> list[Region]:
    regions = policy.regions_for(actor, "stats.view")
    if filters.regions:
        regions = regions.filter(code__in=filters.regions)
    return list(regions)


PRECISION_LABELS = {
    "exact": gettext_lazy("exact"),
    "rounded to thousands": gettext_lazy("rounded to thousands"),
    "exact (before the 2025 revision)": gettext_lazy("exact (before the 2025 revision)"),
}


@dataclass
class RegionRow:
    """A region's count and, when its population is known, its annualised rate (in ``unit``)
    with the exact 95% interval; ``years`` is the length of the period the rate covers."""

    region: Region
    count: int
    population: Denominator | None
    rate: float | None = None
    rate_low: float | None = None
    rate_high: float | None = None
    unit: rates.Unit = field(default_factory=rates.Unit)
    years: float = 0.0

    @property
    def precision_label(self) -> str:
        """The precision of the population figures used, in the active language (the
        reference data stores it in English)."""
        if self.population is None:
            return ""
        labels = []
        for figure in self.population.figures:
            label = PRECISION_LABELS.get(figure.precision)
            text = str(label) if label else figure.precision
            if text not in labels:
                labels.append(text)
        return ", ".join(labels)

    def as_dict(self) -> Row:
        """The row as exported (``None`` for a rate and population that are not known).
        ``population`` is the population at the period's mid-point (``population_date``),
        ``population_method`` how it was obtained from the figures, ``population_source``
        their source and vintage."""
        known = self.population
        return {
            "region": self.region.code, "name": self.region.name, "count": self.count,
            "rate": _rounded(self.rate), "rate_low": _rounded(self.rate_low),
            "rate_high": _rounded(self.rate_high),
            "rate_unit": self.unit.code if self.rate is not None else None,
            "population": known.people if known else None,
            "population_date": known.on.isoformat() if known else None,
            "population_method": known.describe() if known else None,
            "population_source": known.sources if known else None,
        }  # fmt: skip


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def rate_period(filters: Filters) -> tuple[dt.date, dt.date]:
    """The days a rate covers: the period's first day, or the day the counted articles came
    into force when later (none could be registered before), to its last day, or today when
    it has not ended (no case of tomorrow is counted yet). Empty (end before start) when
    the period lies wholly before the articles or in the future."""
    end = min(filters.end, timezone.localdate())
    in_force = in_force_since(filters.articles)
    start = filters.date_from or in_force or end
    if in_force is not None:
        start = max(start, in_force)
    return start, end


def by_region(actor: Who, filters: Filters, unit: rates.Unit | None = None) -> list[RegionRow]:
    """Count and annualised rate (``unit``, per 100,000 per year by default; exact 95%
    interval) for every region in scope, the highest count first. The population is the
    region's at the period's mid-point (:func:`qorgau.reference.population.for_period`); a
    region without any population figure has no rate (never an invented one)."""
    rows = case_counts(actor, filters, dims=False)
    return _region_rows(rows, regions_in_scope(actor, filters), filters, unit or rates.Unit())


def _region_rows(
    qs: QuerySet[CaseCount], regions: list[Region], filters: Filters, unit: rates.Unit
) -> list[RegionRow]:
    counts = _per(qs, "region_id")
    start, end = rate_period(filters)
    years = rates.person_years(start, end)
    figures = population.for_period(start, max(start, end))
    rows = []
    for region in regions:
        row = RegionRow(region, counts.get(region.pk, 0), figures.get(region.pk), unit=unit)
        if row.population is not None and row.population.population > 0 and years > 0:
            row.years = years
            person_years = row.population.population * years
            low, high = intervals.poisson_interval(row.count)
            row.rate, row.rate_low, row.rate_high = (
                value / person_years * unit.per for value in (row.count, low, high)
            )
        rows.append(row)
    rows.sort(key=lambda r: (-r.count, r.region.order))
    return rows


def counts_by(actor: Who, filters: Filters, dimension: str) -> list[Row]:
    """Counts of cases by article, status, termination ground (terminated cases) or region, of
    victims by sex, age band, of suspects by relationship to the victim, or of reports by
    region, channel or decision. Each row: ``key`` (the stored code), ``label`` (translated),
    ``count``; the highest count first."""
    rows: Iterable[tuple[str | None, int]]
    if dimension in REPORT_DIMENSIONS:
        rows = _per(report_counts(actor, filters), REPORT_DIMENSIONS[dimension]).items()
    elif dimension in PARTY_DIMENSIONS:
        rows = _per(party_counts(actor, filters, dimension, "parties"), "value", "parties").items()
    elif dimension in DIMENSIONS:
        rows = _per(_case_rows(actor, filters, dimension), AGGREGATE_KEYS[dimension]).items()
    elif dimension == "iccs":
        rows = _per_iccs(_case_rows(actor, filters, "article")).items()
    else:
        raise Invalid("by", _("Unknown breakdown “%(by)s”.") % {"by": dimension})
    labels = breakdown_labels(dimension)
    return sorted(
        ({"key": key or "", "label": labels.get(key, key or ""), "count": n} for key, n in rows),
        key=lambda r: (-r["count"], r["key"]),
    )


def _per_iccs(qs: QuerySet[CaseCount]) -> Counter[str]:
    """Cases per ICCS category (``reference.iccs``): the aggregate's rows summed per article,
    then each of those few articles mapped to its code here ("" for an article without one)."""
    per_article = _per(qs, "article_id")
    codes = dict(Article.objects.filter(pk__in=per_article).values_list("pk", "iccs_code"))
    totals: Counter[str] = Counter()
    for article_id, n in per_article.items():
        totals[codes.get(article_id, "")] += n
    return totals


# The case aggregate's column of each breakdown of cases.
AGGREGATE_KEYS = {
    "region": "region__code",
    "article": "article__code",
    "status": "status",
    "termination_ground": "termination_ground",
}


def _case_rows(actor: Who, filters: Filters, dimension: str) -> QuerySet[CaseCount]:
    """The case aggregate's rows behind a breakdown of cases (terminated ones by ground)."""
    qs = case_counts(
        actor,
        filters,
        per_article=dimension == "article",
        dims=dimension in ("status", "termination_ground"),
    )
    if dimension == "termination_ground":
        qs = qs.filter(status=CaseStatus.TERMINATED)
    return qs


@dataclass
class Breakdown:
    """A breakdown as the actor may see it. ``rows``: ``key``, ``label``, ``count`` (a number,
    or "<t+1" / "*" where protected); ``withheld``: why the whole table is not shown, if it is
    not; ``protected``: small counts were coarsened; ``counted``: the filters actually counted
    when they differ from those asked (widened to whole quarters), else ``None``."""

    rows: list[Row]
    withheld: str = ""
    protected: bool = False
    counted: Filters | None = None

    @property
    def period_note(self) -> str:
        """The period actually counted, as a sentence in the active language ("" when the
        period asked was counted)."""
        return counted_period_note(self.counted) if self.counted else ""


def quarter_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s calendar quarter."""
    return next_period(period_start(day, "quarter"), "quarter") - dt.timedelta(days=1)


def whole_quarters(filters: Filters) -> Filters:
    """``filters`` with the period widened outward to whole calendar quarters: "from" to its
    quarter's first day (no "from" stays none), the end to its quarter's last day."""
    start = period_start(filters.date_from, "quarter") if filters.date_from else None
    return replace(filters, date_from=start, date_to=quarter_end(filters.end))


def counted_by_quarter(actor: Who, dimension: str) -> bool:
    """Is this breakdown counted over whole quarters for ``actor``? A breakdown of people (or of
    what became of them) for an actor who may not see cases one by one: two periods that differ
    by a few days inside a quarter then give the same table, so their difference cannot
    describe the one case registered on those days."""
    return dimension in PERSONAL_DIMENSIONS and not policy.can(actor, "case.view")


def counted_period_note(counted: Filters) -> str:
    """The sentence that states the whole quarters a protected breakdown counts."""
    end = counted.end.isoformat()
    if counted.date_from is None:
        return _("Counted over whole calendar quarters, up to %(end)s.") % {"end": end}
    return _("Counted over whole calendar quarters, from %(start)s to %(end)s.") % {
        "start": counted.date_from.isoformat(),
        "end": end,
    }


def _cases_behind(actor: Who, filters: Filters, dimension: str) -> tuple[int, dict[str, int]]:
    """How many cases stand behind a breakdown of people (or of statuses, termination
    grounds), in all and behind each value."""
    if dimension in ("status", "termination_ground"):
        by_value = _per(_case_rows(actor, filters, dimension), dimension)
        return sum(by_value.values()), {key or "": n for key, n in by_value.items()}
    role = PartyRole.SUSPECT if dimension == "relationship" else PartyRole.VICTIM
    with_role = party_counts(actor, filters, str(role), "cases")
    total = with_role.aggregate(total=_total("cases"))["total"] or 0
    per = _per(party_counts(actor, filters, dimension, "cases"), "value", "cases")
    return total, {key or "": n for key, n in per.items()}


def breakdown(actor: Who, filters: Filters, dimension: str) -> Breakdown:
    """:func:`counts_by` as ``actor`` may see it. Who may not see cases one by one (``case.view``:
    analysts) gets the breakdowns of people (sex, age band, relationship) and of what became of
    the cases (status, termination ground) protected like published figures:

    - counted over whole calendar quarters (:func:`whole_quarters`), so that two periods which
      differ by a few days inside a quarter give the same table;
    - every value listed, a zero shown like a small count ("<t+1"), so that neither the
      appearance of a row nor its count tells 0 from 1…t;
    - the whole table withheld when at most :func:`~qorgau.stats.disclosure.small_count_threshold` cases stand behind
      it, and otherwise a value behind which so few cases stand, or which counts so few people,
      hidden (:func:`~qorgau.stats.disclosure.suppress`, with further cells hidden so that the total cannot give it
      away). Showing zeros as "<t+1" too only widens what a reader may suppose, so every
      guarantee of :func:`~qorgau.stats.disclosure.suppress` holds.

    Protected rows keep the order of the choices: an order by count would place a hidden value
    between two shown ones."""
    if not counted_by_quarter(actor, dimension):
        return Breakdown(counts_by(actor, filters, dimension))
    counted = whole_quarters(filters)
    threshold = small_count_threshold()
    total, per_value = _cases_behind(actor, counted, dimension)
    if total <= threshold:
        return Breakdown(
            [],
            _("Not shown: fewer than %(n)d cases stand behind this table.") % {"n": threshold + 1},
            True,
            counted,
        )
    labels = breakdown_labels(dimension)
    found = {r["key"]: r for r in counts_by(actor, counted, dimension)}
    # Every value, zeros too. A stored value outside the choices (none is expected: the services
    # store choices only) is kept after them rather than dropped from the total.
    rows: list[Row] = [
        found.pop(key) if key in found else {"key": key, "label": labels.get(key, key), "count": 0}
        for key in _values(dimension)
    ]
    rows += sorted(found.values(), key=lambda r: r["key"])
    counts = [r["count"] for r in rows]
    few = {i for i, r in enumerate(rows) if r["count"] and per_value.get(r["key"], 0) <= threshold}
    cells = protected_cells(counts, threshold, few)
    if cells is None:
        return Breakdown(
            [],
            _("Not shown: its small counts could be worked out from the total."),
            True,
            counted,
        )
    for row, cell in zip(rows, cells, strict=True):
        row["count"] = int(cell) if cell.isdigit() else cell
    return Breakdown(rows, "", True, counted)


def _values(dimension: str) -> list[str]:
    """Every value a protected breakdown lists, in the order of the choices; a field that may
    be left blank (a suspect's relationship) has the blank value too."""
    values = list(breakdown_labels(dimension))
    model = Party if dimension in PARTY_DIMENSIONS else Case
    if _field(model, DIMENSIONS[dimension]).blank and "" not in values:
        values.append("")
    return values


def breakdown_labels(dimension: str) -> dict[str, str]:
    """The translated label of each value of a breakdown, from the model field's own choices;
    regions by their name, articles by their code."""
    if dimension in ("region", "report_region"):
        return {r.code: r.name for r in Region.objects.all()}
    if dimension == "iccs":
        return {code: f"{code} {iccs.label(code)}" for code in iccs.codes()} | {
            "": _("not classified")
        }
    model: type[models.Model]
    if dimension in REPORT_DIMENSIONS:
        model, field_name = Report, REPORT_DIMENSIONS[dimension]
    else:
        model = Party if dimension in PARTY_DIMENSIONS else Case
        field_name = DIMENSIONS[dimension]
    if "__" in field_name:
        return {}
    return {str(value): str(label) for value, label in _field(model, field_name).flatchoices}


def _field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """The model's own field ``name`` (a breakdown counts a column, never a reverse relation)."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a field")
    return found


# The dashboard's breakdown tables (each also an export table of the same name).
BREAKDOWN_TITLES = {
    "status": gettext_lazy("Status"),
    "termination_ground": gettext_lazy("Terminated cases by ground"),
    "victim_sex": gettext_lazy("Victims by sex"),
    "victim_age_band": gettext_lazy("Victims by age band"),
    "relationship": gettext_lazy("Suspect's relationship to the victim"),
}
REPORT_BREAKDOWN_TITLES = {
    "report_region": gettext_lazy("Reports by region"),
    "report_channel": gettext_lazy("Reports by channel"),
    "report_decision": gettext_lazy("Reports by decision"),
}


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    raise Invalid("period", _("Unknown period “%(period)s”.") % {"period": period})


def next_period(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = start.month - 1 + months
    return start.replace(year=start.year + index // 12, month=index % 12 + 1)


def time_series(actor: Who, filters: Filters, period: str = "week") -> list[tuple[dt.date, int]]:
    """Counts per period, every period of the range present (zeros included) up to the
    period's end or today, whichever is earlier: a period that has not begun is not a zero."""
    # Whole weeks (over all articles) or months from their grain, the rest by day: each row's
    # day is the start of a period inside the one it is counted in.
    coarse = {"week": "week", "day": "day"}.get(period, "month")
    per_day = _per(case_counts(actor, filters, coarse=coarse, dims=False), "day")
    if not per_day and not filters.date_from:
        return []
    first = filters.date_from or min(per_day)
    last = min(filters.end, timezone.localdate())
    counter: Counter[dt.date] = Counter()
    for day, n in per_day.items():
        counter[period_start(day, period)] += n
    series, start = [], period_start(first, period)
    while start <= last:
        series.append((start, counter.get(start, 0)))
        start = next_period(start, period)
    return series


def _articles(codes: tuple[str, ...] = ()) -> QuerySet[Article]:
    """The articles with these codes (all articles when none are given)."""
    return Article.objects.filter(code__in=codes) if codes else Article.objects.all()


def cumulative_since_in_force(actor: Who, filters: Filters) -> list[Row]:
    """Cases per article since the article came into force, up to the period's end."""
    articles = list(_articles(filters.articles))
    # One range per date of entry into force (most articles share theirs).
    since: dict[dt.date, list[int]] = {}
    for article in articles:
        since.setdefault(article.in_force_on, []).append(article.pk)
    periods = Q(pk__in=[])
    for day, ids in since.items():
        periods |= _period_q(day, filters.end, per_article=True, article_ids=ids, dims=False)
    counts = _per(case_counts(actor, filters, periods=periods), "article_id")
    return [
        {
            "article": article.code,
            "since": article.in_force_on.isoformat(),
            "count": counts.get(article.pk, 0),
        }
        for article in articles
    ]


def in_force_since(articles: tuple[str, ...] = ()) -> dt.date | None:
    """The earliest entry into force of ``articles`` (all articles when empty), from the
    reference data; the dashboard's period starts there by default."""
    return min((a.in_force_on for a in _articles(articles)), default=None)


def chart_markers(actor: Who, filters: Filters, intervention: dt.date) -> list[tuple[dt.date, str]]:
    """Dates marked on the time series: each article's entry into force (reference data), the
    approval of each campaign plan the statistics may use (national, or of a region shown:
    :func:`qorgau.campaigns.services.plans_for_statistics`) and the chosen intervention date."""
    articles = _articles(filters.articles)
    marks = [(day, _("law in force")) for day in sorted({a.in_force_on for a in articles})]
    plans = campaigns.plans_for_statistics(actor, regions=filters.regions)
    marks += [(day, _("plan approved")) for day in sorted({p.approved_on for p in plans})]
    marks.append((intervention, _("intervention")))
    return marks


def _in_force_throughout(articles: tuple[str, ...] = ()) -> dt.date | None:
    """The day from which every one of ``articles`` (all when empty) is in force."""
    return max((a.in_force_on for a in _articles(articles)), default=None)


def year_earlier(filters: Filters) -> Filters | None:
    """The same period one year earlier (29 February becomes 28), or None when there is no
    such comparison: the period has no first day, or the earlier one would begin before every
    counted article was in force (a count from a time when the offence did not exist is no
    comparison; :func:`year_earlier_note` says so)."""

    def shift(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    if filters.date_from is None:
        return None
    earlier = Filters(
        filters.articles, shift(filters.date_from), shift(filters.end), filters.regions
    )
    in_force = _in_force_throughout(filters.articles)
    if in_force is not None and earlier.date_from is not None and earlier.date_from < in_force:
        return None
    return earlier


def year_earlier_note(filters: Filters) -> str:
    """Why there is no comparison with the same period a year earlier ("" when there is)."""
    if year_earlier(filters) is not None:
        return ""
    in_force = _in_force_throughout(filters.articles)
    if filters.date_from is None or in_force is None:
        return _("No comparison with a year earlier: the period has no first day.")
    return _(
        "No comparison with a year earlier: the same period a year earlier begins before %(date)s, when the offence came into force."
    ) % {"date": in_force.isoformat()}


# --- Regional comparison -----------------------------------------------------------------


@dataclass
class FunnelPoint:
    """A region on the funnel plot: its row, and (known for every point) its population and
    annualised rate (in the funnel's unit)."""

    row: RegionRow
    expected: float
    ratio: float
    limits95: tuple[float, float]
    limits998: tuple[float, float]
    population: float
    rate: float

    @property
    def outside(self) -> str:
        """'' inside both limits; 'high95'/'low95' outside 95%; 'high998'/'low998' outside 99.8%.

        Outside means beyond the drawn limit *and* improbable by the exact Poisson probability
        of the observed count (P(X ≤ O | E) or P(X ≥ O | E) below α/2): for a small expected
        count the drawn lower limit is above 0, yet 0 cases may well happen by chance."""
        observed = self.row.count
        for name, alpha, (low, high) in (
            ("998", 0.002, self.limits998),
            ("95", 0.05, self.limits95),
        ):
            if self.ratio > high and intervals.improbably_high(observed, self.expected, alpha):
                return f"high{name}"
            if self.ratio < low and intervals.improbably_low(observed, self.expected, alpha):
                return f"low{name}"
        return ""

    @property
    def verdict(self) -> str:
        """The map's class: 'above' or 'below' (outside the 95% limits), else 'expected'."""
        outside = self.outside
        return "above" if outside.startswith("high") else "below" if outside else "expected"


# The map's classes besides the verdicts: a region with a rate that was not compared (the
# national rate withheld from a regional user), and a region without any population figure.
NOT_COMPARED = "not_compared"
NO_RATE = "no_rate"
VERDICT_LABELS = {
    "below": gettext_lazy("below the national rate"),
    "expected": gettext_lazy("as expected"),
    "above": gettext_lazy("above the national rate"),
    NOT_COMPARED: gettext_lazy("not compared"),
    NO_RATE: gettext_lazy("no rate"),
}


@dataclass
class Funnel:
    """The funnel plot's numbers; ``withheld`` says why there is no national rate, if so.
    ``compared`` is the number of regions the national rate and the allowance for
    over-dispersion rest on; ``national`` the national count per person in the period (the
    expected count of a region is it × the region's population)."""

    national_rate: float | None
    points: list[FunnelPoint] = field(default_factory=list)
    unknown: list[RegionRow] = field(default_factory=list)
    withheld: str = ""
    unit: rates.Unit = field(default_factory=rates.Unit)
    compared: int = 0
    national: float = 0.0
    dispersion: intervals.Overdispersion | None = None

    def limits(self, expected: float, alpha: float) -> tuple[float, float]:
        """The limits of observed/expected for an expected count: exact Poisson, or widened
        by the chosen allowance for over-dispersion."""
        if self.dispersion is None:
            return intervals.funnel_limits(expected, alpha)
        return self.dispersion.limits(expected, alpha)

    def limits_at(self, people: float, alpha: float) -> tuple[float, float]:
        """The limits of observed/expected for a region of ``people`` (for the chart)."""
        return self.limits(self.national * people, alpha)

    def sentences(self) -> list[str]:
        """A sentence for each region outside the limits (:func:`funnel_sentence`)."""
        if self.national_rate is None:
            return []
        return [funnel_sentence(p, self.national_rate, self.unit) for p in self.points if p.outside]

    def compared_sentence(self) -> str:
        """How many regions were compared ("18 regions compared."), and the allowance for
        over-dispersion when one was asked."""
        n = self.compared
        text = ngettext("%(n)d region compared.", "%(n)d regions compared.", n) % {"n": n}
        dispersion = self.dispersion
        if dispersion is None or self.national_rate is None:
            return text
        values = {
            "phi": _number(dispersion.phi, 2),
            "tau": _number(dispersion.tau2**0.5, 3),
            "p": _number(dispersion.p_value, 3),
        }
        if not dispersion.applied:
            note = _("No over-dispersion (φ = %(phi)s, p = %(p)s): the limits are Poisson's.")
        elif dispersion.method == "multiplicative":
            note = _("Limits widened for over-dispersion, multiplicative (φ = %(phi)s, p = %(p)s).")
        else:
            note = _(
                "Limits widened for over-dispersion, additive random effects (τ = %(tau)s, φ = %(phi)s, p = %(p)s)."
            )
        return text + " " + note % values

    def verdicts(self, rows: list[RegionRow]) -> dict[str, str]:
        """Each region of ``rows`` by its class on the map: its verdict when compared, else
        :data:`NOT_COMPARED` (a rate) or :data:`NO_RATE`."""
        found = {p.row.region.code: p.verdict for p in self.points}
        return {
            r.region.code: found.get(r.region.code, NOT_COMPARED if r.rate is not None else NO_RATE)
            for r in rows
        }


def _national_rate_withheld(rows: list[RegionRow], known: int, scope: set[int]) -> str:
    """Why a regional actor may not see the national rate ("" when they may): it would not
    cover the whole country (a region has no population figure), or it would publish the rest
    of the country's count when that is 1 to the small-count threshold."""
    if known < len(rows):
        missing = sorted((r for r in rows if r.population is None), key=lambda r: r.region.order)
        return _(
            "The national rate is not shown: without a population figure for %(regions)s it could not cover the whole country."
        ) % {"regions": ", ".join(r.region.name for r in missing)}
    threshold = small_count_threshold()
    elsewhere = sum(r.count for r in rows if r.region.pk not in scope)
    if 1 <= elsewhere <= threshold:
        return _(
            "The national rate is not shown: fewer than %(n)d cases in the rest of the country in this selection."
        ) % {"n": threshold + 1}
    return ""


def funnel(
    actor: Who, filters: Filters, unit: rates.Unit | None = None, overdispersion: str = "none"
) -> Funnel:
    """Each region's annualised rate against the national rate, with exact Poisson 95% and
    99.8% limits (expected count E = national count per person × population at the period's
    mid-point), or limits widened for over-dispersion (``overdispersion``: ``multiplicative``
    or ``additive``, :func:`qorgau.stats.intervals.overdispersion`, over every region
    compared). Regions without population are listed apart.

    The national rate is over the whole country whatever regions the filter chose (a rate over
    the chosen regions, called national, would be one region's rate). Every statistics actor may
    know national aggregates (``policy.national_aggregate``); the points are the regions of the
    actor's own scope. For an actor who sees every region it is the rate over the regions whose
    population is known. For an actor who does not, it must not depend on any other region's
    own figures: it is shown only over all twenty regions (every population known, else a rate
    over some of them would move when a case moves to a region without one), and not when the
    rest of the country has 1 to :func:`~qorgau.stats.disclosure.small_count_threshold` cases (the national rate would
    publish that small count to them)."""
    if overdispersion not in intervals.OVERDISPERSION:
        raise Invalid("overdispersion", _("Unknown over-dispersion method."))
    unit = unit or rates.Unit()
    if not policy.can(actor, "stats.view"):
        return Funnel(None, unit=unit)
    everywhere = replace(filters, regions=())
    every_row = CaseCount.objects.using(read_only_alias()).filter(n__gt=0)
    national_cases = _aggregated(
        policy.national_aggregate(actor, every_row), everywhere, dims=False
    )
    rows = _region_rows(national_cases, list(Region.objects.all()), everywhere, unit)
    mine = {r.pk for r in regions_in_scope(actor, filters)}
    # The regions with a rate (a population at the mid-point, a period that is not empty).
    known = [r for r in rows if r.population is not None and r.rate is not None]
    result = Funnel(
        None,
        unknown=[r for r in rows if r.rate is None and r.region.pk in mine],
        unit=unit,
        compared=len(known),
    )
    if not policy.scope_of(actor).national:
        scope = set(policy.regions_for(actor, "stats.view").values_list("pk", flat=True))
        result.withheld = _national_rate_withheld(rows, len(known), scope)
        if result.withheld:
            return result
    people = {r.region.pk: r.population.population for r in known if r.population is not None}
    total_pop = sum(people.values())
    if not total_pop:
        return result
    total = sum(row.count for row in known)
    result.national = total / total_pop
    result.national_rate = rates.per_year(total, total_pop, known[0].years, unit)
    expected = {r.region.pk: result.national * people[r.region.pk] for r in known}
    if overdispersion != "none":
        result.dispersion = intervals.overdispersion(
            overdispersion, [r.count for r in known], [expected[r.region.pk] for r in known]
        )
    for row in known:
        if row.region.pk not in mine or row.rate is None:
            continue
        e = expected[row.region.pk]
        result.points.append(
            FunnelPoint(
                row,
                e,
                row.count / e if e else 0.0,
                result.limits(e, 0.05),
                result.limits(e, 0.002),
                people[row.region.pk],
                row.rate,
            )
        )
    return result


def funnel_sentence(
    point: FunnelPoint, national_rate: float, unit: rates.Unit | None = None
) -> str:
    """A plain sentence about a region outside the limits, in the active language."""
    values = {
        "region": point.row.region.name,
        "rate": _number(point.rate, 2),
        "national": _number(national_rate, 2),
        "unit": (unit or rates.Unit()).label,
    }
    return {
        "high998": _(
            "%(region)s: %(rate)s cases %(unit)s, well above the national rate of %(national)s (outside the 99.8%% limit)."
        ),
        "high95": _(
            "%(region)s: %(rate)s cases %(unit)s, above the national rate of %(national)s (outside the 95%% limit)."
        ),
        "low998": _(
            "%(region)s: %(rate)s cases %(unit)s, well below the national rate of %(national)s (outside the 99.8%% limit)."
        ),
        "low95": _(
            "%(region)s: %(rate)s cases %(unit)s, below the national rate of %(national)s (outside the 95%% limit)."
        ),
    }[point.outside] % values


# --- Campaign effect ---------------------------------------------------------------------

# The control series a comparative analysis may use (``campaign_effect(control=...)``): the
# cases of the articles not chosen, or the reports received.
EFFECT_CONTROLS = ("articles", "reports")


@dataclass(frozen=True)
class EffectPeriod:
    """One period of the effect analysis; ``used`` False when it is left out of the fit, and
    ``reason`` says why ("partial" or "transition"); ``control``: the control series' count,
    when there is one."""

    start: dt.date
    count: int
    used: bool
    reason: str = ""
    control: int | None = None


def _control_counts(actor: Who, filters: Filters, period: str, control: str) -> Counter[dt.date]:
    """The control series per period start: the cases of the articles not in ``filters``
    ("articles"), or the reports received for ``filters`` ("reports"), with the same dates and
    regions."""
    counter: Counter[dt.date] = Counter()
    if control == "articles":
        others = tuple(
            Article.objects.exclude(code__in=filters.articles).values_list("code", flat=True)
        )
        if not filters.articles or not others:
            raise Invalid(
                "control",
                _("A control series of other articles needs some articles chosen and some not."),
            )
        other = Filters(others, filters.date_from, filters.date_to, filters.regions)
        counter.update(dict(time_series(actor, other, period)))
    elif control == "reports":
        rows = ReportCount.objects.using(read_only_alias()).filter(n__gt=0)
        scoped = policy.scoped(actor, "stats.view", rows)
        for day, n in _per(_aggregated(scoped, filters, coarse="day"), "day").items():
            counter[period_start(day, period)] += n
    else:
        raise Invalid("control", _("Unknown control series “%(control)s”.") % {"control": control})
    return counter


def campaign_effect(
    actor: Who,
    filters: Filters,
    intervention: dt.date = DEFAULT_CAMPAIGN_DATE,
    period: str = "week",
    *,
    seasonal: bool = False,
    control: str | None = None,
    placebo: bool = True,
) -> tuple[list[EffectPeriod], its.ITSResult]:
    """Segmented Poisson regression of the period counts around ``intervention``
    (:mod:`qorgau.stats.its`; docs/stats.md, "Campaign effect").

    The series runs to the data cut-off: the end of the filters' period or yesterday,
    whichever is earlier. Periods without a case up to it are real zeros (a small region's
    quiet weeks), not missing data. Left out of the fit, keeping their place on the time axis:
    a first or last period only partly inside the observed days (from ``date_from`` to the
    cut-off), and the transition period that contains the intervention date (unless the
    intervention is its first day), which is neither wholly before nor wholly after.

    ``seasonal``: month-of-year terms (the month of each period's first day). ``control``: a
    comparative analysis against a control series (one of :data:`EFFECT_CONTROLS`); the
    ratios are then those of the series relative to the control. ``placebo``: refit at fake
    intervention dates before the real one (the result's ``placebo``)."""
    if period not in ("week", "month"):
        raise Invalid("period", _("The effect analysis uses weekly or monthly counts."))
    observed_to = min(filters.end, timezone.localdate() - dt.timedelta(days=1))
    controls = None if control is None else _control_counts(actor, filters, period, control)
    series = []
    for start, n in time_series(actor, filters, period):
        end = next_period(start, period) - dt.timedelta(days=1)
        other = None if controls is None else controls.get(start, 0)
        if (filters.date_from and start < filters.date_from) or end > observed_to:
            series.append(EffectPeriod(start, n, False, "partial", other))
        elif start < intervention <= end:
            series.append(EffectPeriod(start, n, False, "transition", other))
        else:
            series.append(EffectPeriod(start, n, True, "", other))
    if not series:
        return [], its.segmented_poisson([], 0)
    index = next((i for i, p in enumerate(series) if p.start >= intervention), len(series))
    result = its.segmented_poisson(
        [p.count for p in series],
        index,
        [p.used for p in series],
        months=[p.start.month for p in series] if seasonal else None,
        control=None if controls is None else [p.control or 0 for p in series],
        placebo=placebo,
    )
    return series, result


def effect_conclusion(result: its.ITSResult, period: str = "week") -> str:
    """A plain-language conclusion, honest about short series: when the series is too short,
    the warning alone, and no claim about a change. Otherwise the estimates, then the verdict
    of the joint test of level and trend ("larger than chance"), or, when the level interval
    is wider than :data:`~qorgau.stats.its.PRECISION_RATIO`, "too imprecise to conclude"
    instead of "no change beyond chance"; then the placebo check."""
    if result.one_side_empty:
        return _(
            "There is no case on one side of the intervention, so the change cannot be estimated as a ratio (it would be zero or infinite); the counts per period show it."
        )
    if result.level is None or result.trend is None:
        return _("There are too few data to estimate any change.")
    if result.too_short:
        return _(
            "Warning: the series is too short to conclude (at least %(n)d periods on each side and %(total)d cases are needed); the estimates below are not evidence of a change or of its absence."
        ) % {"n": its.MIN_POINTS_EACH_SIDE, "total": its.MIN_TOTAL_COUNT}
    level, trend = result.level, result.trend
    values = {
        "ratio": _number(level.estimate, 2),
        "low": _number(level.low, 2),
        "high": _number(level.high, 2),
        "trend": _number(trend.estimate, 3),
        "tlow": _number(trend.low, 3),
        "thigh": _number(trend.high, 3),
        "p": _number(result.joint_p or 0.0, 3),
        "limit": _number(its.PRECISION_RATIO, 0),
    }
    trend_text = (
        _("the weekly trend afterwards changed by a factor of %(trend)s (%(tlow)s–%(thigh)s).")
        if period == "week"
        else _(
            "the monthly trend afterwards changed by a factor of %(trend)s (%(tlow)s–%(thigh)s)."
        )
    )
    parts = []
    if result.controlled:
        parts.append(
            _(
                "Compared with the control series: the ratios below are those of the cases relative to it."
            )
        )
    parts.append(
        (
            _(
                "At the intervention the number of cases changed by a factor of %(ratio)s (95%% interval %(low)s–%(high)s); "
            )
            + trend_text
        )
        % values
    )
    if result.larger_than_chance:
        parts.append(
            _(
                "The change is larger than chance alone would explain (joint test of level and trend, p = %(p)s); it coincides with the intervention but does not by itself prove that the intervention caused it."
            )
            % values
        )
    elif result.imprecise:
        parts.append(
            _(
                "Too imprecise to conclude: the upper limit of the level interval is more than %(limit)s times its lower limit, so these data can show neither a change nor its absence."
            )
            % values
        )
    else:
        parts.append(
            _("No change beyond chance can be seen (joint test of level and trend, p = %(p)s).")
            % values
        )
    if result.placebo is not None:
        parts.append(
            _(
                "Placebo check: of %(fits)d fake intervention dates before the real one, %(larger)d showed a change by the same test (about 1 in 20 is expected by chance)."
            )
            % {"fits": result.placebo.fits, "larger": result.placebo.larger}
        )
    return " ".join(parts)


# --- Data completeness --------------------------------------------------------------------


def _unknown_victims(actor: Who, filters: Filters) -> dict[str, dict[str, Counter[str]]]:
    """Per region and per investigating body code: how many cases of ``filters`` there are
    ("cases") and how many of them have no victim recorded, or a first victim whose sex or age
    band is unknown ("unknown"); from the party aggregate."""
    tally: dict[str, dict[str, Counter[str]]] = {
        "region": {"cases": Counter(), "unknown": Counter()},
        "body": {"cases": Counter(), "unknown": Counter()},
    }
    codes = _body_codes()
    kinds = {"case": "cases", "unknown_victim": "unknown"}
    rows = party_counts(actor, filters, tuple(kinds), "cases")
    per = rows.values_list("dim", "region__code", "body_id").annotate(total=_total("cases"))
    # One query: a few rows per region and body, added up here.
    for dim, region, body_id, n in per.order_by():
        tally["region"][kinds[dim]][region] += n
        tally["body"][kinds[dim]][codes.get(body_id, "")] += n
    return tally


def _latest_days(actor: Who, ever: Filters, key: str) -> dict[Any, dt.date]:
    """The latest local day with a case, per ``key`` (region code or body id), over all time:
    each key's latest month from the month grain, then the days from the earliest of those
    months on (a few rows, where the day grain over all time would be every row)."""
    months = party_counts(actor, ever, "case", "cases").values_list(key).annotate(m=Max("day"))
    latest_months = dict(months.order_by())
    if not latest_months:
        return {}
    since = replace(ever, date_from=min(latest_months.values()))
    days = party_counts(actor, since, "case", "cases", coarse="day")
    return dict(days.values_list(key).annotate(m=Max("day")).order_by())


def _body_codes() -> dict[int, str]:
    """Each body's code by its id (the aggregates store the id; 0 is no body)."""
    return dict(Body.objects.values_list("id", "code"))


def completeness_counted(actor: Who, filters: Filters) -> Filters | None:
    """The filters over which :func:`completeness` counts the unknown share for ``actor``:
    whole quarters for who may not see cases one by one, ``None`` (the period asked) else."""
    return None if policy.can(actor, "case.view") else whole_quarters(filters)


def completeness_note(actor: Who, filters: Filters) -> str:
    """The sentence that states the quarters over which ``actor`` gets the unknown share, or
    "" when it is counted over the period asked."""
    counted = completeness_counted(actor, filters)
    return counted_period_note(counted) if counted else ""


def _unknown_share(
    behind: int, unknown: int, counted: Filters | None, threshold: int
) -> tuple[float | None, str]:
    """One row's share of cases with an unknown victim attribute and its note: over the
    quarters ``counted`` (then named in the note) for who may not see cases, withheld behind
    1..threshold cases."""
    share, note = (round(unknown / behind, 3) if behind else None), ""
    if counted is not None and behind:
        note = counted_period_note(counted)
    if counted is not None and 0 < behind <= threshold:
        share = None
        note = _("Not shown: fewer than %(n)d cases in the quarters counted.") % {
            "n": threshold + 1
        }
    return share, note


def completeness(actor: Who, filters: Filters) -> dict[str, list[Row]]:
    """Per region and per investigating body: the cases of the period, the latest registration
    (over all time, so a region that stopped recording shows when it stopped), the share of
    the period's cases whose victim's sex or age band is unknown (or who have no victim
    recorded), and reports still without a decision — so careless or stopped recording shows
    next to the figures. Every region in scope is listed, and every body that has cases in
    scope (of the chosen articles and regions, at any time) or reports waiting.

    The unknown share describes the victims of the cases behind it, so who may not see cases
    one by one (``case.view``) gets it as :func:`breakdown` gives the breakdowns of people:
    counted over whole calendar quarters (:func:`whole_quarters`), and withheld (``None``,
    its reason in ``unknown_share_note``) when at most :func:`~qorgau.stats.disclosure.small_count_threshold` cases
    stand behind it — else a one-day period narrowed to one case would tell whether that
    victim's sex or age is recorded. ``unknown_share_note`` states the quarters counted when
    the share is shown."""
    ever = Filters(filters.articles, None, None, filters.regions)
    codes = _body_codes()
    latest = {
        "region": _latest_days(actor, ever, "region__code"),
        "body": {
            codes.get(body_id): day for body_id, day in _latest_days(actor, ever, "body_id").items()
        },
    }
    waiting = report_counts(actor, Filters(regions=filters.regions)).filter(
        decision=Decision.PENDING
    )
    pending = {
        "region": _per(waiting, "region__code"),
        "body": {codes.get(body_id, ""): n for body_id, n in _per(waiting, "body_id").items()},
    }
    names = {
        "region": {r.code: r.name for r in regions_in_scope(actor, filters)},
        "body": {b.code: b.name for b in Body.objects.all()},
    }
    period = _unknown_victims(actor, filters)
    counted = completeness_counted(actor, filters)
    shares = period if counted is None else _unknown_victims(actor, counted)
    threshold = small_count_threshold()
    result = {}
    for kind in ("region", "body"):
        keys = set(names["region"]) if kind == "region" else set()
        keys |= {key or "" for key in (*latest[kind], *pending[kind])}
        keys |= set(period[kind]["cases"])
        rows = []
        for key in sorted(keys):
            moment = latest[kind].get(key or None)
            share, note = _unknown_share(
                shares[kind]["cases"][key], shares[kind]["unknown"][key], counted, threshold
            )
            rows.append(
                {"key": key, "name": names[kind].get(key, key) if key else "—",
                 "cases": period[kind]["cases"][key],
                 "latest": moment,
                 "unknown_share": share, "unknown_share_note": note,
                 "pending_reports": pending[kind].get(key, 0)}
            )  # fmt: skip
        result[kind] = rows
    return result
