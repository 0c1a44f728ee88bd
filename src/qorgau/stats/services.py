"""Statistics of the registry: counts, rates with exact intervals, regional comparison
(funnel plot) and campaign effect (interrupted time series).

Every query goes through the access policy (``stats.view``): a user gets aggregates of their
own scope only. Periods are local (Kazakhstan) dates, both ends included.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.reference.models import Article, PopulationFigure, Region
from qorgau.registry.models import Case, Party

from . import intervals, its

CAMPAIGN_DEFAULT = dt.date(2026, 1, 30)  # the media plan of the source letter (paragraph 9)
DIMENSIONS = {
    "region": "region__code",
    "article": "article_part__article__code",
    "status": "status",
    "victim_sex": "sex",
    "victim_age_band": "age_band",
    "relationship": "relationship",
}
PERIODS = ("day", "week", "month", "quarter", "year")


class StatsError(ValueError):
    """A statistics request that cannot be answered; the message is translated."""


@dataclass(frozen=True)
class Filters:
    """What to count: articles (empty = all), a period of local dates, regions (empty = all)."""

    articles: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    regions: tuple[str, ...] = ()

    def check(self) -> "Filters":
        known = set(Article.objects.values_list("code", flat=True))
        unknown = [a for a in self.articles if a not in known]
        if unknown:
            raise StatsError(_("Unknown article: %(codes)s") % {"codes": ", ".join(unknown)})
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise StatsError(_("The period ends before it begins."))
        bad = set(self.regions) - set(Region.objects.values_list("code", flat=True))
        if bad:
            raise StatsError(_("Unknown region: %(codes)s") % {"codes": ", ".join(sorted(bad))})
        return self

    @property
    def end(self) -> dt.date:
        return self.date_to or timezone.localdate()

    def describe(self) -> dict:
        return {
            "articles": list(self.articles) or "all",
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.end.isoformat(),
            "regions": list(self.regions) or "all",
        }


def cases(user, filters: Filters) -> QuerySet:
    """The cases counted for ``filters``, within the user's scope."""
    qs = policy.scoped(user, "stats.view", Case.objects.all())
    if filters.articles:
        qs = qs.filter(article_part__article__code__in=filters.articles)
    if filters.date_from:
        qs = qs.filter(registered_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(registered_at__date__lte=filters.date_to)
    if filters.regions:
        qs = qs.filter(region__code__in=filters.regions)
    return qs


def regions_in_scope(user, filters: Filters) -> list[Region]:
    scope = policy.scope_of(user)
    regions = Region.objects.all()
    if not scope.national:
        regions = regions.filter(pk=scope.region_id)
    if filters.regions:
        regions = regions.filter(code__in=filters.regions)
    return list(regions)


def population_on(day: dt.date) -> dict[int, PopulationFigure]:
    """For each region, the latest population figure dated on or before ``day``."""
    latest: dict[int, PopulationFigure] = {}
    for figure in PopulationFigure.objects.filter(reference_date__lte=day).order_by(
        "reference_date"
    ):
        latest[figure.region_id] = figure
    return latest


@dataclass
class RegionRow:
    region: Region
    count: int
    population: PopulationFigure | None
    rate: float | None = None
    rate_low: float | None = None
    rate_high: float | None = None

    def as_dict(self) -> dict:
        row = {"region": self.region.code, "name": self.region.name, "count": self.count}
        if self.population is not None:
            row.update(
                rate=round(self.rate, 4), rate_low=round(self.rate_low, 4), rate_high=round(self.rate_high, 4),
                population=self.population.population,
                population_date=self.population.reference_date.isoformat(),
            )  # fmt: skip
        else:
            row.update(
                rate=None, rate_low=None, rate_high=None, population=None, population_date=None
            )
        return row


def by_region(user, filters: Filters) -> list[RegionRow]:
    """Count and rate per 100,000 (exact 95% interval) for every region in scope, the highest
    count first; a region without a population figure has no rate (never an invented one)."""
    counts = dict(cases(user, filters).values_list("region_id").annotate(n=Count("id")))
    population = population_on(filters.end)
    rows = []
    for region in regions_in_scope(user, filters):
        row = RegionRow(region, counts.get(region.pk, 0), population.get(region.pk))
        if row.population is not None:
            row.rate, row.rate_low, row.rate_high = intervals.rate_interval(
                row.count, row.population.population
            )
        rows.append(row)
    rows.sort(key=lambda r: (-r.count, r.region.order))
    return rows


def counts_by(user, filters: Filters, dimension: str) -> list[dict]:
    """Counts of cases by article, status or region, or of victims by sex, age band, or of
    suspects by relationship to the victim."""
    if dimension not in DIMENSIONS:
        raise StatsError(_("Unknown breakdown “%(by)s”.") % {"by": dimension})
    field_name = DIMENSIONS[dimension]
    if dimension in ("victim_sex", "victim_age_band", "relationship"):
        role = "suspect" if dimension == "relationship" else "victim"
        rows = (
            Party.objects.filter(case__in=cases(user, filters), role=role)
            .values_list(field_name)
            .annotate(n=Count("id"))
        )
    else:
        rows = cases(user, filters).values_list(field_name).annotate(n=Count("id"))
    return sorted(
        ({"key": key or "", "count": n} for key, n in rows), key=lambda r: (-r["count"], r["key"])
    )


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
    raise StatsError(_("Unknown period “%(period)s”.") % {"period": period})


def next_period(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = start.month - 1 + months
    return start.replace(year=start.year + index // 12, month=index % 12 + 1)


def time_series(user, filters: Filters, period: str = "week") -> list[tuple[dt.date, int]]:
    """Counts per period, every period of the range present (zeros included)."""
    days = [
        timezone.localtime(moment).date()
        for moment in cases(user, filters).values_list("registered_at", flat=True)
    ]
    if not days and not filters.date_from:
        return []
    first = filters.date_from or min(days)
    counter = Counter(period_start(day, period) for day in days)
    series, start = [], period_start(first, period)
    while start <= filters.end:
        series.append((start, counter.get(start, 0)))
        start = next_period(start, period)
    return series


def cumulative_since_in_force(user, filters: Filters) -> list[dict]:
    """Cases per article since the article came into force, up to the period's end."""
    rows = []
    for article in (
        Article.objects.filter(code__in=filters.articles)
        if filters.articles
        else Article.objects.all()
    ):
        f = Filters((article.code,), article.in_force_on, filters.end, filters.regions)
        rows.append(
            {
                "article": article.code,
                "since": article.in_force_on.isoformat(),
                "count": cases(user, f).count(),
            }
        )
    return rows


def year_earlier(filters: Filters) -> Filters:
    """The same period one year earlier (29 February becomes 28)."""

    def shift(day):
        if day is None:
            return None
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    return Filters(filters.articles, shift(filters.date_from), shift(filters.end), filters.regions)


# --- Regional comparison -----------------------------------------------------------------


@dataclass
class FunnelPoint:
    row: RegionRow
    expected: float
    ratio: float
    limits95: tuple[float, float]
    limits998: tuple[float, float]

    @property
    def outside(self) -> str:
        """'' inside both limits; 'high95'/'low95' outside 95%; 'high998'/'low998' outside 99.8%."""
        for name, (low, high) in (("998", self.limits998), ("95", self.limits95)):
            if self.ratio > high:
                return f"high{name}"
            if self.ratio < low:
                return f"low{name}"
        return ""


@dataclass
class Funnel:
    national_rate: float | None
    points: list[FunnelPoint] = field(default_factory=list)
    unknown: list[RegionRow] = field(default_factory=list)


def funnel(user, filters: Filters) -> Funnel:
    """Each region's rate against the national rate, with exact Poisson 95% and 99.8% limits
    (expected count E = national rate × population). Regions without population are listed
    apart. The national rate is over the regions whose population is known."""
    if not policy.can(user, "stats.view"):
        return Funnel(None)
    # The national rate is an aggregate every statistics user may know; the points are the
    # regions of the user's own scope.
    rows = by_region(policy.OPERATOR, filters)
    mine = {r.pk for r in regions_in_scope(user, filters)}
    known = [r for r in rows if r.population is not None]
    result = Funnel(None, unknown=[r for r in rows if r.population is None and r.region.pk in mine])
    total_pop = sum(r.population.population for r in known)
    if not total_pop:
        return result
    national = sum(r.count for r in known) / total_pop
    result.national_rate = national * intervals.PER
    for row in known:
        if row.region.pk not in mine:
            continue
        expected = national * row.population.population
        ratio = row.count / expected if expected else 0.0
        result.points.append(
            FunnelPoint(
                row,
                expected,
                ratio,
                intervals.funnel_limits(expected, 0.05),
                intervals.funnel_limits(expected, 0.002),
            )
        )
    return result


def funnel_sentence(point: FunnelPoint, national_rate: float) -> str:
    """A plain sentence about a region outside the limits, in the active language."""
    values = {
        "region": point.row.region.name,
        "rate": f"{point.row.rate:.2f}",
        "national": f"{national_rate:.2f}",
    }
    return {
        "high998": _(
            "%(region)s: %(rate)s cases per 100,000 people, well above the national rate of %(national)s (outside the 99.8%% limit)."
        ),
        "high95": _(
            "%(region)s: %(rate)s cases per 100,000 people, above the national rate of %(national)s (outside the 95%% limit)."
        ),
        "low998": _(
            "%(region)s: %(rate)s cases per 100,000 people, well below the national rate of %(national)s (outside the 99.8%% limit)."
        ),
        "low95": _(
            "%(region)s: %(rate)s cases per 100,000 people, below the national rate of %(national)s (outside the 95%% limit)."
        ),
    }[point.outside] % values


# --- Campaign effect ---------------------------------------------------------------------


def campaign_effect(
    user, filters: Filters, intervention: dt.date = CAMPAIGN_DEFAULT, period: str = "week"
):
    """Segmented Poisson regression of the period counts around ``intervention``."""
    if period not in ("week", "month"):
        raise StatsError(_("The effect analysis uses weekly or monthly counts."))
    # Only complete periods up to today: a future or unfinished period is not a real zero.
    today = timezone.localdate()
    series = [
        (start, n)
        for start, n in time_series(user, filters, period)
        if next_period(start, period) <= today
    ]
    index = next(
        (i for i, (start, _n) in enumerate(series) if start >= period_start(intervention, period)),
        len(series),
    )
    return series, its.segmented_poisson([n for _start, n in series], index)


def effect_conclusion(result: its.ITSResult, period: str = "week") -> str:
    """A plain-language conclusion, honest about short series."""
    if result.level is None:
        return _("There are too few data to estimate any change.")
    level = result.level
    trend_text = (
        _(
            "the weekly trend afterwards changed by a factor of %(trend).3f (%(tlow).3f–%(thigh).3f)."
        )
        if period == "week"
        else _(
            "the monthly trend afterwards changed by a factor of %(trend).3f (%(tlow).3f–%(thigh).3f)."
        )
    )
    text = (_("At the intervention the number of cases changed by a factor of %(ratio).2f (95%% interval %(low).2f–%(high).2f); ") + trend_text) % {"ratio": level.estimate, "low": level.low, "high": level.high,
         "trend": result.trend.estimate, "tlow": result.trend.low, "thigh": result.trend.high}  # fmt: skip
    if level.significant or result.trend.significant:
        text += " " + _(
            "The change is larger than chance alone would explain; it coincides with the intervention but does not by itself prove that the intervention caused it."
        )
    else:
        text += " " + _("No change beyond chance can be seen.")
    if result.too_short:
        text += " " + _(
            "Warning: the series is too short to conclude (at least %(n)d periods on each side and %(total)d cases are needed)."
        ) % {"n": its.MIN_POINTS_EACH_SIDE, "total": its.MIN_TOTAL_COUNT}
    return text


# --- Small-count protection --------------------------------------------------------------

SUPPRESSED_SECONDARY = "*"


def _pinned(counts: list[int], hidden: set[int], primary: set[int], threshold: int) -> bool:
    """Would the hidden cells' sum (known from the total) reveal a small count?

    A reader knows each small cell ("<t+1") is 1…t and each other hidden cell ("*") is at least
    t+1. A small count is revealed when only one assignment fits the sum: when every hidden cell
    must sit at its minimum, or when only small cells are hidden and there is one of them or all
    must sit at the threshold.
    """
    small = len(primary & hidden)
    if small == 0:
        return False
    others = len(hidden) - small
    slack = sum(counts[i] for i in hidden) - small - (threshold + 1) * others
    return slack == 0 or (others == 0 and (small == 1 or slack == small * (threshold - 1)))


def suppress_with_total(counts: list[int], threshold: int = 3) -> tuple[list[str], str]:
    """The cells as :func:`suppress` shows them, and the total — withheld too when no choice of
    cells can keep a small count from being read off it."""
    cells = suppress(counts, threshold)
    primary = {i for i, c in enumerate(counts) if 1 <= c <= threshold}
    hidden = {i for i, label in enumerate(cells) if not label.isdigit()}
    total = sum(counts)
    if _pinned(counts, hidden, primary, threshold):
        return cells, f"<{threshold + 1}" if 1 <= total <= threshold else SUPPRESSED_SECONDARY
    return cells, str(total)


def suppress(counts: list[int], threshold: int = 3) -> list[str]:
    """Counts as published outside the staff pages: 1…threshold shown as "<threshold+1", and
    further cells hidden ("*") until the total cannot reveal a hidden count (see
    :func:`_pinned`). Zeros are shown: they reveal no one."""
    primary = {i for i, c in enumerate(counts) if 1 <= c <= threshold}
    hidden = set(primary)
    while _pinned(counts, hidden, primary, threshold):
        candidates = sorted((c, i) for i, c in enumerate(counts) if i not in hidden and c > 0)
        if not candidates:
            break
        hidden.add(candidates[0][1])
    return [
        f"<{threshold + 1}" if i in primary else SUPPRESSED_SECONDARY if i in hidden else str(c)
        for i, c in enumerate(counts)
    ]


# --- Data completeness --------------------------------------------------------------------


def completeness(user, filters: Filters) -> dict[str, list[dict]]:
    """Per region and per investigating body: the latest registration, the share of cases whose
    victim's sex or age band is unknown (or who have no victim recorded), and reports still
    without a decision — so careless or stopped recording shows next to the figures."""
    from qorgau.registry.models import Report

    qs = (
        cases(user, filters)
        .select_related("region", "investigating_body")
        .prefetch_related("parties")
    )
    reports = policy.scoped(user, "stats.view", Report.objects.filter(decision="pending"))
    pending_region = dict(reports.values_list("region__code").annotate(n=Count("id")))
    pending_body = dict(reports.values_list("receiving_body__code").annotate(n=Count("id")))
    groups: dict[str, dict] = {"region": {}, "body": {}}
    for case in qs:
        victim = next((p for p in case.parties.all() if p.role == "victim"), None)
        unknown = victim is None or victim.sex == "U" or victim.age_band == "unknown"
        for kind, key, name in (
            ("region", case.region.code, case.region.name),
            (
                "body",
                case.investigating_body.code if case.investigating_body else "",
                case.investigating_body.name if case.investigating_body else "—",
            ),
        ):
            row = groups[kind].setdefault(
                key, {"key": key, "name": name, "cases": 0, "unknown": 0, "latest": None}
            )
            row["cases"] += 1
            row["unknown"] += unknown
            day = timezone.localtime(case.registered_at).date()
            row["latest"] = max(row["latest"] or day, day)
    result = {}
    for kind, pending in (("region", pending_region), ("body", pending_body)):
        rows = list(groups[kind].values())
        for key, _n in pending.items():
            if key not in groups[kind]:
                rows.append({"key": key, "name": key, "cases": 0, "unknown": 0, "latest": None})
        for row in rows:
            row["pending_reports"] = pending.get(row["key"], 0)
            row["unknown_share"] = round(row["unknown"] / row["cases"], 3) if row["cases"] else None
        result[kind] = sorted(rows, key=lambda r: r["key"])
    return result
