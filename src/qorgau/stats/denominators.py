"""Loading the denominators of the rates: a population table of the Bureau of National
Statistics (stat.gov.kz) as CSV or XLSX, all or nothing (docs/reference-data.md).

The Bureau publishes population by region in tables whose title rows come before the header and
whose regions are named in Kazakh, Russian or English (or coded by KATO). A table is read from
its first sheet (XLSX) or as UTF-8 CSV: the header is the first row (among the first
``HEADER_SEARCH_ROWS``) that has a region column and a population column (names in
:data:`REGION_COLUMNS`, :data:`VALUE_COLUMNS`, :data:`DATE_COLUMNS`, any case); a reference date
column is optional (``reference_date`` is then the date of every row). The row of the whole
country is skipped; any other row whose region is not recognised is an error, and a file with
any error loads nothing. Every figure carries the ``source`` and ``vintage`` (the release's
date) it was loaded with; a later table with the same region and date replaces the figure (a
revision), and the audit entry names what was replaced.
"""

import csv
import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit import log
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.core.importing import (
    MAX_DATA_ROWS,
    ImportRejected,
    RowError,
    read_xlsx_first_sheet,
    too_large,
)
from qorgau.reference.models import PopulationFigure, Region

from . import actions

HEADER_SEARCH_ROWS = 20
REGION_COLUMNS = {
    "region", "region code", "code", "kato", "iso", "name", "territory",
    "регион", "область", "наименование", "территория", "код", "като",
    "өңір", "облыс", "аймақ", "атауы", "аумақ", "атауы/наименование",
}  # fmt: skip
VALUE_COLUMNS = {
    "population", "value", "people", "численность", "численность населения", "население",
    "значение", "человек", "халық саны", "халық", "мәні", "мән", "адам",
}  # fmt: skip
DATE_COLUMNS = {"reference_date", "date", "дата", "на дату", "күні", "күн", "дата/күні"}
# The whole country's row, skipped (the loader stores regions only).
COUNTRY = {
    "республика казахстан", "қазақстан республикасы", "republic of kazakhstan", "kazakhstan",
    "казахстан", "қазақстан", "всего", "барлығы", "total", "kz",
}  # fmt: skip
# Other spellings met in published tables (transliterations, names before 2022).
OTHER_NAMES = {
    "nur-sultan": "KZ-71", "нур-султан": "KZ-71", "нұр-сұлтан": "KZ-71",
    "turkestan": "KZ-61", "mangistau": "KZ-47", "zhetysu": "KZ-33", "jetysu": "KZ-33",
    "abay": "KZ-10", "akmola": "KZ-11", "aqmola": "KZ-11", "aktobe": "KZ-15", "aqtobe": "KZ-15",
    "kostanai": "KZ-39", "qostanay": "KZ-39", "kyzylorda": "KZ-43", "qyzylorda": "KZ-43",
    "karagandy": "KZ-35", "qaraghandy": "KZ-35", "zhambyl": "KZ-31", "jambyl": "KZ-31",
    "область жетысу": "KZ-33", "область улытау": "KZ-62", "улытауская": "KZ-62",
    "абайская": "KZ-10", "жетысуская": "KZ-33",
}  # fmt: skip
GENERIC = re.compile(
    r"\b(oblast|region|city|of|г|город|обл|область|облысы|қаласы|каласы)\b", re.IGNORECASE
)


def normal(text: str) -> str:
    """A name compared without case, ё, dots, footnote marks or extra spaces."""
    text = str(text).casefold().replace("ё", "е").replace("\u00a0", " ")
    text = text.replace(".", " ").replace("*", " ")
    return re.sub(r"\s+", " ", text).strip()


def _stem(text: str) -> str:
    return re.sub(r"\s+", " ", GENERIC.sub(" ", normal(text))).strip()


def region_lookup(regions: list[Region]) -> dict[str, Region]:
    """Every accepted spelling of each region (normalised) → the region: ISO 3166-2 code,
    KATO code (two digits, or nine ending in zeros; the same numbers as ISO's), full names in
    Kazakh, Russian and English and their forms without "region"/"область"/"облысы"; a bare
    city name is the city (an oblast is always named as one)."""
    lookup: dict[str, Region] = {}
    stems: dict[str, set[str]] = {}
    by_code = {r.code: r for r in regions}
    for region in regions:
        number = region.code.removeprefix("KZ-")
        for key in (region.code, number, number + "0000000"):
            lookup[normal(key)] = region
        for name in (region.name_kk, region.name_ru, region.name_en):
            lookup[normal(name)] = region
            stems.setdefault(_stem(name), set()).add(region.code)
        if region.is_city:
            for name in (region.short_kk, region.short_ru, region.short_en):
                lookup.setdefault(normal(name), region)
        else:
            for name in (region.short_kk, region.short_ru, region.short_en):
                stems.setdefault(_stem(name), set()).add(region.code)
    for stem, codes in stems.items():
        if stem and len(codes) == 1:
            lookup.setdefault(stem, by_code[next(iter(codes))])
    for name, code in OTHER_NAMES.items():
        if code in by_code:
            lookup.setdefault(normal(name), by_code[code])
    return lookup


def find_region(value: str, lookup: dict[str, Region]) -> Region | None:
    """The region a cell names, or None."""
    key = normal(value)
    return lookup.get(key) or lookup.get(_stem(value))


@dataclass(frozen=True)
class Figure:
    """A clean row of a population table."""

    row: int
    region: Region
    reference_date: dt.date
    population: int


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[object]]:
    """The rows of a UTF-8 CSV file as they stand (title rows and all: the header is found
    later), comma- or semicolon-separated, within the import limits."""
    if error := too_large(len(data)):
        raise error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([RowError(1, "", "", _("the file is not UTF-8 text"))]) from None
    if "\x00" in text:
        raise ImportRejected(
            [RowError(1, "", "", _("the file holds a NUL character: it is not a text file"))]
        )
    lines = text.splitlines()
    head = "\n".join(lines[:HEADER_SEARCH_ROWS])
    delimiter = ";" if head.count(";") > head.count(",") else ","
    try:
        rows: list[list[object]] = [list(row) for row in csv.reader(lines, delimiter=delimiter)]
    except csv.Error:
        raise ImportRejected([RowError(1, "", "", _("the file is not well-formed CSV"))]) from None
    if len(rows) > MAX_DATA_ROWS:
        raise ImportRejected([RowError(MAX_DATA_ROWS + 2, "", "", _("the file has too many rows"))])
    return rows


def _rows(data: bytes, filename: str) -> list[list[object]]:
    """The file's rows as lists of cells (XLSX: its first sheet; else UTF-8 CSV)."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return [list(row) for row in read_xlsx_first_sheet(data)]
    return _csv_rows(data)


def _header(rows: list[list[object]]) -> tuple[int, dict[str, int]]:
    """The header's row index and the column index of region, population and date."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for column, cell in enumerate(row):
            name = normal(_cell(cell))
            for kind, names in (
                ("region", REGION_COLUMNS),
                ("population", VALUE_COLUMNS),
                ("reference_date", DATE_COLUMNS),
            ):
                if name in names and kind not in found:
                    found[kind] = column
        if "region" in found and "population" in found:
            return index, found
    raise ImportRejected(
        [
            RowError(
                1,
                "",
                "",
                _("no header with a region column and a population column in the first %(n)d rows")
                % {"n": HEADER_SEARCH_ROWS},
            )
        ]
    )


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# More people than any region can hold (the whole country is about 20 million): such a value is
# a row error, not left to the database (PostgreSQL's integer column stops at 2,147,483,647).
MAX_PEOPLE = 30_000_000


def _people(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        people = value
    elif isinstance(value, float):
        people = int(value) if value.is_integer() else 0
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", _cell(value))
        people = int(text) if text.isascii() and text.isdigit() else 0
    return people if 0 < people <= MAX_PEOPLE else None


def _row(
    index: int, cells: dict[str, object], default_day: dt.date | None, lookup: dict[str, Region]
) -> tuple[Figure | None, list[RowError]]:
    """A data row's figure, or its errors (every one of them)."""
    name = _cell(cells.get("region"))
    errors = []
    region = find_region(name, lookup) if name else None
    if region is None:
        errors.append(
            RowError(
                index,
                "region",
                name,
                _(
                    "unknown region: give its ISO 3166-2 code (KZ-75), its KATO code (75 or 750000000) or its official name in Kazakh, Russian or English"
                ),
            )
        )
    day = default_day
    raw_day = _cell(cells.get("reference_date"))
    if raw_day:
        day = _date(cells["reference_date"])
        if day is None:
            errors.append(
                RowError(
                    index,
                    "reference_date",
                    raw_day,
                    _("expected a date as YYYY-MM-DD or DD.MM.YYYY"),
                )
            )
    people = _people(cells.get("population"))
    if people is None:
        errors.append(
            RowError(
                index,
                "population",
                _cell(cells.get("population")),
                _("expected a positive whole number of people"),
            )
        )
    if errors or region is None or day is None or people is None:
        return None, errors
    return Figure(index, region, day, people), []


def parse_table(
    data: bytes, filename: str = "", reference_date: dt.date | None = None
) -> list[Figure]:
    """The figures of a population table, or :class:`ImportRejected` listing every problem
    (row numbers as the spreadsheet shows them)."""
    rows = _rows(data, filename)
    start, columns = _header(rows)
    lookup = region_lookup(list(Region.objects.all()))
    errors: list[RowError] = []
    if "reference_date" not in columns and reference_date is None:
        errors.append(
            RowError(
                start + 1,
                "reference_date",
                "",
                _("the table has no date column: give the reference date (--date)"),
            )
        )
    figures: list[Figure] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for index, row in enumerate(rows[start + 1 :], start=start + 2):
        cells = {kind: row[col] if col < len(row) else None for kind, col in columns.items()}
        name = _cell(cells.get("region"))
        if not name and _cell(cells.get("population")) == "":
            continue  # an empty line, or a note under the table
        if normal(name) in COUNTRY or _stem(name) in COUNTRY:
            continue
        figure, row_errors = _row(index, cells, reference_date, lookup)
        errors.extend(row_errors)
        if figure is None:
            continue
        key = (figure.region.code, figure.reference_date)
        if key in seen:
            errors.append(
                RowError(
                    index,
                    "region",
                    name,
                    _("this region and date are already on row %(row)d") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = index
        figures.append(figure)
    if not figures and not errors:
        errors.append(RowError(start + 2, "", "", _("the table has no region's figure")))
    if errors:
        raise ImportRejected(errors)
    return figures


def load_table(
    actor: Actor,
    data: bytes,
    *,
    filename: str,
    source: str,
    vintage: dt.date,
    reference_date: dt.date | None = None,
    precision: str = "exact",
) -> list[PopulationFigure]:
    """Load a population table for ``actor`` (who may administer reference data), all or
    nothing: every figure is created, or replaces the figure of the same region and date,
    with ``source``, ``vintage`` and ``precision``; one audit entry names the file, the source,
    the vintage, the figures and the values they replaced."""
    policy.ensure(actor, "admin.site")
    if not source.strip():
        raise Invalid("source", _("Name the source of the table (the release and its address)."))
    limit = PopulationFigure._meta.get_field("precision").max_length or 0
    if len(precision) > limit:
        # Refused here, not by the database (PostgreSQL: "value too long", a traceback).
        raise Invalid(
            "precision",
            _("The precision is longer than %(n)d characters.") % {"n": limit},
        )
    figures = parse_table(data, filename, reference_date)
    loaded, replaced = [], {}
    with transaction.atomic():
        for figure in figures:
            old = PopulationFigure.objects.filter(
                region=figure.region, reference_date=figure.reference_date
            ).first()
            if old is not None:
                replaced[f"{figure.region.code} {figure.reference_date}"] = old.population
            obj, _created = PopulationFigure.objects.update_or_create(
                region=figure.region,
                reference_date=figure.reference_date,
                defaults={
                    "population": figure.population,
                    "precision": precision,
                    "source": source.strip(),
                    "vintage": vintage,
                },
            )
            loaded.append(obj)
        log.write(
            actor,
            actions.POPULATION_LOAD,
            details={
                "file": filename,
                "source": source.strip(),
                "vintage": vintage.isoformat(),
                "precision": precision,
                "figures": {f"{f.region.code} {f.reference_date}": f.population for f in figures},
                "replaced": replaced,
            },
        )
    return loaded
