"""International comparability: the registry's counts in the shape of UNODC's crime trends
survey (UN-CTS), one row per ICCS category and year (docs/exports.md).

The counts come from the cases registered in the year, demonstration data left out (the
aggregates, which the dashboard's ICCS breakdown reads, do not tell it apart): one grouped query
per article over the year's range of the indexed registration time. The file is
for the national submission to UNODC: exact counts, national scope only (``stats.international``
in the access policy), audited as ``stats.export``.
"""

import datetime as dt
import io
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.access.policy import Who
from qorgau.audit import log
from qorgau.core.errors import Invalid
from qorgau.core.tabular import DictCsvWriter, XlsxBook
from qorgau.reference import iccs
from qorgau.reference.models import Article
from qorgau.registry.models import Case

from . import actions, services
from .aggregates import day_start

COUNTRY = "Kazakhstan"
ISO3 = "KAZ"
# UN-CTS's indicator for what the registry counts, and its unit.
INDICATOR = "Offences recorded by the police"
UNIT = "Counts"
COLUMNS = [
    "country",
    "iso3_code",
    "year",
    "iccs_code",
    "iccs_label",
    "national_articles",
    "indicator",
    "unit_of_measurement",
    "value",
    "source",
]
FORMATS = ("csv", "xlsx")


def check_year(year: int) -> int:
    """Refuse (``Invalid``, field ``year``) a year outside the dates statistics may name."""
    if not services.EARLIEST_DATE.year <= year <= services.latest_date().year:
        raise Invalid(
            "year",
            _("The year must lie between %(first)d and %(last)d.")
            % {"first": services.EARLIEST_DATE.year, "last": services.latest_date().year},
        )
    return year


def source_note(year: int, today: dt.date) -> str:
    """The row's source note (English, as UN-CTS's files are): what is counted, the
    classification, and whether the year was complete when the file was made."""
    note = (
        "Qorgau registry of the Republic of Kazakhstan: criminal cases registered in the year "
        "(date of registration, Asia/Almaty) under the Criminal Code articles named, all "
        f"registering bodies; classified by {iccs.version()}, one code per article "
        "(reference/data/SOURCES.md)."
    )
    if today <= dt.date(year, 12, 31):
        note += f" Year not complete: cases registered up to {today.isoformat()}."
    return note


def _counts(actor: Who, year: int) -> dict[str, int]:
    """Cases registered in ``year`` (local dates) per ICCS code, demonstration data left out:
    the file goes to UNODC, which publishes it. Counted from the cases (the aggregates do not
    tell demonstration data apart): one grouped query over a year's range of the indexed
    registration time, per article, then the few articles mapped to their codes."""
    rows = (
        policy.scoped(actor, "stats.international", Case.objects.all())
        .filter(
            is_demo=False,
            registered_at__gte=day_start(dt.date(year, 1, 1)),
            registered_at__lt=day_start(dt.date(year + 1, 1, 1)),
        )
        .values_list("article_part__article__iccs_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for code, n in rows:
        counts[code or ""] = counts.get(code or "", 0) + n
    return counts


def cts_rows(actor: Who, year: int) -> list[dict[str, Any]]:
    """One row per ICCS code of the articles in force at some time in ``year``, with the
    cases registered in the year under them (a zero when none: the article was in force);
    national figures only. Refused (``NotAllowed``) without ``stats.international``."""
    policy.ensure(actor, "stats.international")
    check_year(year)
    filters = services.Filters(date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
    counts = _counts(actor, year)
    in_force = Article.objects.filter(in_force_on__lte=filters.date_to).order_by("code")
    articles: dict[str, list[str]] = {}
    for code, iccs_code in in_force.values_list("code", "iccs_code"):
        articles.setdefault(iccs_code, []).append(code)
    for code in counts:  # a case under an article not yet in force (a data error) still counts
        articles.setdefault(code, [])
    note = source_note(year, timezone.localdate())
    return [
        {
            "country": COUNTRY,
            "iso3_code": ISO3,
            "year": year,
            "iccs_code": code,
            "iccs_label": iccs.label(code, "en") if code else "Not classified",
            "national_articles": ", ".join(f"CC RK art. {a}" for a in sorted(articles[code])),
            "indicator": INDICATOR,
            "unit_of_measurement": UNIT,
            "value": counts.get(code, 0),
            "source": note,
        }
        for code in sorted(articles, key=lambda c: (c == "", c))
    ]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV (the project's writer: a text cell that looks like a formula is
    quoted), column codes in the header."""
    out = io.StringIO()
    writer = DictCsvWriter(out, COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The rows as a workbook, one sheet ``UN-CTS`` (numbers as number cells)."""
    book = XlsxBook()
    sheet = book.sheet("UN-CTS")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    return book.save()


def export_cts(actor: Who, year: int, fmt: str = "csv", *, via: str = "web") -> str | bytes:
    """The UN-CTS table of ``year`` as CSV text or XLSX bytes; one ``stats.export`` entry
    naming the table, year, format and number of rows. Refused (``NotAllowed``) without
    ``stats.international`` (national scope), ``Invalid`` for an unknown format or year."""
    if fmt not in FORMATS:
        raise Invalid("format", _("Unknown format “%(fmt)s”.") % {"fmt": fmt})
    rows = cts_rows(actor, year)
    log.write(
        actor,
        actions.EXPORT,
        details={"table": "un-cts", "year": year, "format": fmt, "rows": len(rows), "via": via},
    )
    return to_csv(rows) if fmt == "csv" else to_xlsx(rows)
