"""The tables behind the dashboard's charts, and their export as CSV or XLSX with the
filters, the time of generation and the data source written into the file."""

import csv
import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from . import services

SOURCE = "Qorgau registry of cases under CC RK art. 115-1 and 125-1; population: reference data (see each row's date)"


def table_regions(user, f):
    columns = [
        "region",
        "name",
        "count",
        "population",
        "population_date",
        "rate",
        "rate_low",
        "rate_high",
    ]
    return columns, [row.as_dict() for row in services.by_region(user, f)]


def table_series(user, f, period="week"):
    return ["period", "count"], [
        {"period": d.isoformat(), "count": n} for d, n in services.time_series(user, f, period)
    ]


def table_funnel(user, f):
    result = services.funnel(user, f)
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
    ]
    rows = [
        {"region": p.row.region.code, "name": p.row.region.name, "observed": p.row.count,
         "expected": round(p.expected, 3), "ratio": round(p.ratio, 3),
         "low95": round(p.limits95[0], 3), "high95": round(p.limits95[1], 3),
         "low998": round(p.limits998[0], 3), "high998": round(p.limits998[1], 3), "outside": p.outside}
        for p in result.points
    ]  # fmt: skip
    return columns, rows


def table_breakdown(user, f, dimension):
    return [dimension, "count"], [
        {dimension: r["key"], "count": r["count"]} for r in services.counts_by(user, f, dimension)
    ]


def table_completeness(user, f, kind="region"):
    columns = ["key", "name", "cases", "latest", "unknown_share", "pending_reports"]
    rows = [
        {**r, "latest": r["latest"].isoformat() if r["latest"] else ""}
        for r in services.completeness(user, f)[kind]
    ]
    return columns, rows


TABLES = {
    "regions": table_regions,
    "series": table_series,
    "funnel": table_funnel,
    "status": lambda u, f: table_breakdown(u, f, "status"),
    "article": lambda u, f: table_breakdown(u, f, "article"),
    "victim_sex": lambda u, f: table_breakdown(u, f, "victim_sex"),
    "victim_age_band": lambda u, f: table_breakdown(u, f, "victim_age_band"),
    "relationship": lambda u, f: table_breakdown(u, f, "relationship"),
    "completeness_region": lambda u, f: table_completeness(u, f, "region"),
    "completeness_body": lambda u, f: table_completeness(u, f, "body"),
}


def metadata(
    name: str, filters: services.Filters, now: dt.datetime | None = None
) -> list[tuple[str, str]]:
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
        ("generated", timezone.localtime(now or timezone.now()).isoformat(timespec="seconds")),
        ("source", SOURCE),
    ]


def to_csv(name, filters, columns, rows) -> bytes:
    """CSV with the metadata as leading ``# key: value`` lines, then the header and rows."""
    out = io.StringIO()
    for key, value in metadata(name, filters):
        out.write(f"# {key}: {value}\n")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(name, filters, columns, rows) -> bytes:
    """An XLSX workbook: the data sheet and an 'about' sheet with the metadata."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = name[:31]
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    about = book.create_sheet(_("about")[:31])
    for key, value in metadata(name, filters):
        about.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
