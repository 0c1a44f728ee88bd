"""The tables behind the dashboard's charts, and their export as CSV or XLSX with the
filters, the time of generation and the data source written into the file."""

import datetime as dt
import io
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.access.policy import Who
from qorgau.core.tabular import DictCsvWriter, XlsxBook

from . import rates, services
from .services import Filters, Row

# A table: its columns and its rows.
Table = tuple[list[str], list[Row]]

SOURCE = "Qorgau registry of cases under CC RK art. 115-1 and 125-1; population: reference data (see each row's date)"


# The header row in the reader's language (``?header=labels``, docs/exports.md); a column
# without a label here keeps its code.
COLUMN_LABELS = {
    "region": gettext_lazy("Region code"),
    "name": gettext_lazy("Region"),
    "count": gettext_lazy("Cases"),
    "cases": gettext_lazy("Cases"),
    "population": gettext_lazy("Population"),
    "population_date": gettext_lazy("Population as of"),
    "rate": gettext_lazy("Rate per 100,000 per year"),
    "rate_low": gettext_lazy("Rate, lower limit (95%)"),
    "rate_high": gettext_lazy("Rate, upper limit (95%)"),
    "rate_unit": gettext_lazy("Unit of the rate"),
    "population_method": gettext_lazy("Population: how obtained"),
    "population_source": gettext_lazy("Population: source"),
    "period": gettext_lazy("Period"),
    "label": gettext_lazy("Group"),
    "article": gettext_lazy("Article"),
    "iccs": gettext_lazy("ICCS code"),
    "since": gettext_lazy("In force since"),
    "latest": gettext_lazy("Latest registration"),
    "pending_reports": gettext_lazy("Reports awaiting a decision"),
}


def column_labels(per: int = rates.DEFAULT_PER) -> dict[str, object]:
    """:data:`COLUMN_LABELS`, the rate's header naming its unit (per 100,000 or 10,000)."""
    unit = rates.Unit(per).label
    return {
        **COLUMN_LABELS,
        "rate": _("Rate %(unit)s") % {"unit": unit},
        "rate_low": _("Rate %(unit)s, lower limit (95%%)") % {"unit": unit},
        "rate_high": _("Rate %(unit)s, upper limit (95%%)") % {"unit": unit},
    }


REGION_COLUMNS = [
    "region",
    "name",
    "count",
    "population",
    "population_date",
    "rate",
    "rate_low",
    "rate_high",
    # Added with the annualised rates (issue 14); the columns above keep their place.
    "rate_unit",
    "population_method",
    "population_source",
]


def table_regions(actor: Who, f: Filters, per: int = rates.DEFAULT_PER) -> Table:
    """Each region's count and annualised rate in the unit asked, with its population at the
    period's mid-point, how that was obtained and its source."""
    rows = services.by_region(actor, f, rates.Unit(per))
    return list(REGION_COLUMNS), [row.as_dict() for row in rows]


def table_series(actor: Who, f: Filters, period: str) -> Table:
    return ["period", "count"], [
        {"period": d.isoformat(), "count": n} for d, n in services.time_series(actor, f, period)
    ]


def table_funnel(
    actor: Who, f: Filters, per: int = rates.DEFAULT_PER, overdispersion: str = "none"
) -> Table:
    """The funnel's points: observed, expected, their ratio and limits, the verdict, the
    rate in the unit asked; ``compared`` is the number of regions the comparison rests on."""
    result = services.funnel(actor, f, rates.Unit(per), overdispersion)
    columns = [
        "region",
        "name",
        "observed",
        "expected",
        "ratio",
        "low95",
        "high95",
        "low998",
        "high998",
        "outside",
        # Added with issue 14; the columns above keep their place.
        "verdict",
        "rate",
        "rate_unit",
        "compared",
        "overdispersion",
    ]
    rows = [
        {"region": p.row.region.code, "name": p.row.region.name, "observed": p.row.count,
         "expected": round(p.expected, 3), "ratio": round(p.ratio, 3),
         "low95": round(p.limits95[0], 3), "high95": round(p.limits95[1], 3),
         "low998": round(p.limits998[0], 3), "high998": round(p.limits998[1], 3), "outside": p.outside,
         "verdict": p.verdict, "rate": round(p.rate, 4), "rate_unit": result.unit.code,
         "compared": result.compared, "overdispersion": overdispersion}
        for p in result.points
    ]  # fmt: skip
    return columns, rows


def table_breakdown(actor: Who, f: Filters, dimension: str) -> Table:
    """A breakdown as the actor may see it (:func:`services.breakdown`: protected counts as
    "<t+1" or "*"); a table withheld as a whole has one row, its reason in ``label``."""
    result = services.breakdown(actor, f, dimension)
    rows = [{dimension: r["key"], "label": r["label"], "count": r["count"]} for r in result.rows]
    if result.withheld:
        rows = [{dimension: "", "label": result.withheld, "count": ""}]
    return [dimension, "label", "count"], rows


def table_completeness(actor: Who, f: Filters, kind: str) -> Table:
    # unknown_share_note: why the share is withheld, or the quarters it counts (analysts)
    columns = ["key", "name", "cases", "latest", "unknown_share", "pending_reports"]
    columns.append("unknown_share_note")
    rows = [
        {**r, "latest": r["latest"].isoformat() if r["latest"] else ""}
        for r in services.completeness(actor, f)[kind]
    ]
    return columns, rows


def table_cumulative(actor: Who, f: Filters) -> Table:
    return ["article", "since", "count"], services.cumulative_since_in_force(actor, f)


def table_effect(actor: Who, f: Filters, period: str, intervention: dt.date) -> Table:
    """The level and trend change (ratios with 95% t intervals); on each row, the verdict they
    share: the joint test's p-value and whether it is below 0.05, the precision rule, the scale
    and the placebo check (docs/stats.md, "Campaign effect"). No row when nothing can be
    estimated."""
    _series, result = services.campaign_effect(actor, f, intervention, period)
    columns = ["measure", "estimate", "low", "high", "points_before", "points_after", "too_short",
               "joint_p", "larger_than_chance", "too_imprecise", "scale", "placebo_fits",
               "placebo_larger"]  # fmt: skip
    rows = []
    if result.level is not None and result.trend is not None:
        placebo = result.placebo
        for measure, effect in (("level", result.level), ("trend", result.trend)):
            rows.append(
                {"measure": measure, "estimate": round(effect.estimate, 4),
                 "low": round(effect.low, 4), "high": round(effect.high, 4),
                 "points_before": result.points_before, "points_after": result.points_after,
                 "too_short": result.too_short,
                 "joint_p": round(result.joint_p or 0.0, 4),
                 "larger_than_chance": result.larger_than_chance,
                 "too_imprecise": result.imprecise,
                 "scale": round(result.scale or 1.0, 3),
                 "placebo_fits": placebo.fits if placebo else "",
                 "placebo_larger": placebo.larger if placebo else ""}
            )  # fmt: skip
    return columns, rows


def table_effect_series(actor: Who, f: Filters, period: str, intervention: dt.date) -> Table:
    """The periods of the effect analysis, with those left out of the fit and why."""
    series, _result = services.campaign_effect(actor, f, intervention, period)
    return ["period", "count", "used", "reason"], [
        {"period": p.start.isoformat(), "count": p.count, "used": p.used, "reason": p.reason}
        for p in series
    ]


def _breakdown(dimension: str) -> Callable[[Who, Filters], Table]:
    return lambda a, f: table_breakdown(a, f, dimension)


TABLES: dict[str, Callable[..., Table]] = {
    "regions": table_regions,
    "series": table_series,
    "funnel": table_funnel,
    "cumulative": table_cumulative,
    "effect": table_effect,
    "effect_series": table_effect_series,
    "article": _breakdown("article"),
    "iccs": _breakdown("iccs"),
    **{name: _breakdown(name) for name in services.BREAKDOWN_TITLES},
    **{name: _breakdown(name) for name in services.REPORT_BREAKDOWN_TITLES},
    "completeness_region": lambda a, f: table_completeness(a, f, "region"),
    "completeness_body": lambda a, f: table_completeness(a, f, "body"),
}
# Tables whose numbers depend on the dashboard's period (week/month) and intervention date:
# only these are given them, and they are written into the file's metadata too.
USES_PERIOD = {"series", "effect", "effect_series"}
USES_INTERVENTION = {"effect", "effect_series"}
# Tables with rates take their unit (per 100,000 or 10,000 per year); the funnel also the
# allowance for over-dispersion.
USES_UNIT = {"regions", "funnel"}
USES_OVERDISPERSION = {"funnel"}


def _options_for(
    name: str,
    period: str,
    intervention: dt.date,
    per: int = rates.DEFAULT_PER,
    overdispersion: str = "none",
) -> dict[str, str | int | dt.date]:
    options: dict[str, str | int | dt.date] = {}
    if name in USES_PERIOD:
        options["period"] = period
    if name in USES_INTERVENTION:
        options["intervention"] = intervention
    if name in USES_UNIT:
        options["per"] = per
    if name in USES_OVERDISPERSION:
        options["overdispersion"] = overdispersion
    return options


def build(
    name: str,
    actor: Who,
    f: Filters,
    *,
    period: str,
    intervention: dt.date,
    per: int = rates.DEFAULT_PER,
    overdispersion: str = "none",
) -> Table:
    """The columns and rows of table ``name``; ``period``, ``intervention``, ``per`` and
    ``overdispersion`` go only to the tables that depend on them."""
    options = _options_for(name, period, intervention, per, overdispersion)
    return TABLES[name](actor, f, **options)


def options_metadata(
    name: str,
    *,
    period: str,
    intervention: dt.date,
    per: int = rates.DEFAULT_PER,
    overdispersion: str = "none",
) -> list[tuple[str, str]]:
    """The options table ``name`` depends on, as metadata lines (the rate's unit in words)."""
    lines = []
    for key, value in _options_for(name, period, intervention, per, overdispersion).items():
        if key == "per" and isinstance(value, int):
            lines.append(("rate_unit", rates.Unit(value).code))
        elif isinstance(value, dt.date):
            lines.append((key, value.isoformat()))
        else:
            lines.append((key, str(value)))
    return lines


def metadata(
    name: str, filters: services.Filters, now: dt.datetime | None = None, extra=()
) -> list[tuple[str, str]]:
    """The file's metadata: the table, the filters, any option it depends on (``extra``: the
    period, the intervention date), the time of generation and the data source."""
    described = filters.describe()
    return [
        ("table", name),
        (
            "articles",
            ", ".join(described["articles"])
            if isinstance(described["articles"], list)
            else described["articles"],
        ),
        ("from", described["from"] or ""),
        ("to", described["to"]),
        (
            "regions",
            ", ".join(described["regions"])
            if isinstance(described["regions"], list)
            else described["regions"],
        ),
        *extra,
        ("generated", timezone.localtime(now or timezone.now()).isoformat(timespec="seconds")),
        ("source", SOURCE),
    ]


def to_csv(name, filters, columns, rows, extra=(), header=None) -> bytes:
    """CSV with the metadata as leading ``# key: value`` lines, then the header (``header``,
    else the column codes) and rows."""
    out = io.StringIO()
    for key, value in metadata(name, filters, extra=extra):
        value = str(value).replace("\r", " ").replace("\n", " ")  # one line each
        out.write(f"# {key}: {value}\n")
    writer = DictCsvWriter(out, columns, extrasaction="ignore")
    writer.writerow(dict(zip(columns, header or columns, strict=True)))
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(name, filters, columns, rows, extra=()) -> bytes:
    """An XLSX workbook: the data sheet and an 'about' sheet with the metadata."""
    book = XlsxBook()
    sheet = book.sheet(name)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    about = book.sheet(_("about"))
    for key, value in metadata(name, filters, extra=extra):
        about.append([key, value])
    return book.save()
