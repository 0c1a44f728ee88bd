"""Import and export of cases as CSV (format: ``docs/cases-csv.md``).

An import is all-or-nothing: every row is checked, every problem is reported with its row,
column, value and reason, and nothing is written unless the whole file is clean. An export
followed by an import into an empty database and a second export gives the same file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.access import policy
from qorgau.core import importing
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.core.importing import RowError
from qorgau.core.tabular import DictCsvWriter
from qorgau.reference.models import Article, ArticlePart, Body, Region

from . import bulk, numbering, services
from .choices import (
    AgeBand,
    CaseStatus,
    PartyRole,
    Relationship,
    Sex,
    SuspensionGround,
    TerminationGround,
)
from .models import Case, Party

COLUMNS = [
    "number",
    "article",
    "part",
    "region",
    "registered_at",
    "status",
    "status_at",
    "termination_ground",
    "suspension_ground",
    "joined_to",
    "investigating_body",
    "victim_sex",
    "victim_age_band",
    "relationship",
    "demo",
    "victim_consent",
    "erdr_number",
]
# The header row in the reader's language (``?header=labels``, docs/exports.md).
COLUMN_LABELS = {
    "number": gettext_lazy("Number"),
    "article": gettext_lazy("Article"),
    "part": gettext_lazy("Part of the article"),
    "region": gettext_lazy("Region"),
    "registered_at": gettext_lazy("Registered at"),
    "status": gettext_lazy("Status"),
    "status_at": gettext_lazy("Status since"),
    "termination_ground": gettext_lazy("Ground for termination"),
    "suspension_ground": gettext_lazy("Ground for suspension"),
    "joined_to": gettext_lazy("Joined to case"),
    "investigating_body": gettext_lazy("Investigating body"),
    "victim_sex": gettext_lazy("Victim's sex"),
    "victim_age_band": gettext_lazy("Victim's age band"),
    "relationship": gettext_lazy("Relationship of the suspect to the victim"),
    "demo": gettext_lazy("Demonstration record"),
    "victim_consent": gettext_lazy("Victim's consent to further use"),
    "erdr_number": gettext_lazy("ERDR number"),
}
REQUIRED = ["article", "part", "region", "registered_at", "status"]
TRUE, FALSE = "1", "0"


def format_datetime(value: dt.datetime | None) -> str:
    """ISO 8601 in Kazakhstan's local time with its offset, to the second."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def parse_datetime(raw: str) -> dt.datetime:
    """Parse ISO 8601 date-time; without an offset it is Kazakhstan's local time."""
    value = dt.datetime.fromisoformat(raw.replace(" ", "T", 1))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# --- Export ------------------------------------------------------------------------------


def _first(parties: list[Party], role: str) -> Party | None:
    return next((p for p in parties if p.role == role), None)


def case_row(case: Case) -> dict[str, str]:
    """One case as a CSV row. Its first victim and first suspect stand for its parties.

    Purpose limitation: a victim's attributes leave the system in a case-level file only with
    the victim's recorded consent; without it the victim columns stay empty (aggregate
    statistics are computed inside the system and are not affected). The suspect's
    relationship to the victim is a fact about the victim too: it is written only when the
    case's victims are recorded and every one of them consented (a party does not say which
    victim the relationship is to)."""
    parties = list(case.parties.all())
    victims = [p for p in parties if p.role == PartyRole.VICTIM]
    victim = next((p for p in victims if p.consent_further_use), None)
    all_consented = bool(victims) and all(p.consent_further_use for p in victims)
    suspect = _first(parties, PartyRole.SUSPECT)
    return {
        "number": case.number,
        "article": case.article_part.article.code,
        "part": str(case.article_part.number),
        "region": case.region.code,
        "registered_at": format_datetime(case.registered_at),
        "status": case.status,
        "status_at": format_datetime(case.status_at),
        "termination_ground": case.termination_ground,
        "suspension_ground": case.suspension_ground,
        "joined_to": case.joined_to.number if case.joined_to else "",
        "investigating_body": case.investigating_body.code if case.investigating_body else "",
        "victim_sex": victim.sex if victim else "",
        "victim_age_band": victim.age_band if victim else "",
        "relationship": suspect.relationship if suspect and all_consented else "",
        "demo": TRUE if case.is_demo else FALSE,
        "victim_consent": TRUE if victim else "",
        "erdr_number": case.erdr_number,
    }


def export_queryset(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases in export order, with what each row needs fetched in a few queries."""
    return (
        cases.select_related("article_part__article", "region", "joined_to", "investigating_body")
        .prefetch_related("parties")
        .order_by("registered_at", "number")
    )


# An export's audit entry lists the numbers it wrote up to this many; above it, their count,
# first and last and a SHA-256 over them in order identify the set (docs/cases-csv.md).
EXPORT_LISTED_MAX = 10_000
# Rows per piece of text an export yields (a StreamingHttpResponse writes each as it comes).
EXPORT_CHUNK = 2000
# Values that a CSV writes as they are: no quoting, nothing a spreadsheet could take for a
# formula (docs/cases-csv.md, "Speed"). The COPY export is used only when every number and
# code is such a value.
_PLAIN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
# Before this year a zone's offset may have seconds (local mean time), which Python's
# isoformat writes and PostgreSQL's to_char does not: such rows go the Python way.
_OFFSETS_WHOLE_SINCE = dt.datetime(1930, 1, 1, tzinfo=dt.UTC)


class ExportDigest:
    """What the audit keeps of the numbers an export wrote, in order: their count, the first
    and the last, a SHA-256 over them (each followed by a line feed), and the list itself up to
    :data:`EXPORT_LISTED_MAX`. ``seen``, when given, gets every number too."""

    def __init__(self, seen: list[str] | None = None):
        self.count, self.first, self.last = 0, "", ""
        self.hash = hashlib.sha256()
        self.numbers: list[str] | None = []
        self.seen = seen

    def add(self, number: str) -> None:
        if not self.count:
            self.first = number
        self.count += 1
        self.last = number
        self.hash.update(number.encode() + b"\n")
        if self.numbers is not None:
            self.numbers.append(number)
            if len(self.numbers) > EXPORT_LISTED_MAX:
                self.numbers = None
        if self.seen is not None:
            self.seen.append(number)

    def details(self) -> dict[str, Any]:
        """The ``case.export`` entry's details about the cases written."""
        found: dict[str, Any] = {"count": self.count, "first": self.first, "last": self.last,
                                 "sha256": self.hash.hexdigest()}  # fmt: skip
        if self.numbers is not None:
            found["numbers"] = self.numbers
        return found


def numbers_digest(cases: QuerySet[Case]) -> tuple[ExportDigest, int]:
    """The digest of the numbers an export of ``cases`` writes, read before it is written (a
    download's entry is written before its rows are sent), and the highest id among them: the
    export is then bounded by it, so a case registered meanwhile is neither written nor missing
    from the entry."""
    digest, highest = ExportDigest(), 0
    ordered = cases.order_by("registered_at", "number").values_list("number", "pk")
    for number, pk in ordered.iterator(chunk_size=10_000):
        digest.add(number)
        highest = max(highest, pk)
    return digest, highest


def export_cases(
    cases: QuerySet[Case],
    out: io.TextIOBase | Any,
    seen: list[str] | None = None,
    header: list[str] | None = None,
    digest: ExportDigest | None = None,
) -> int:
    """Write ``cases`` as CSV to ``out``, row by row (streamed: memory does not grow with the
    rows); returns the number of rows. The numbers written are appended to ``seen`` and told to
    ``digest`` when given (for the audit trail); ``header`` replaces the column codes in the
    first row (labels for a person)."""
    digest = digest if digest is not None else ExportDigest(seen)
    if digest.seen is None:
        digest.seen = seen
    for text in export_text(cases, header, digest):
        out.write(text)
    return digest.count


def export_text(
    cases: QuerySet[Case], header: list[str] | None = None, digest: ExportDigest | None = None
) -> Iterator[str]:
    """The CSV of ``cases`` in pieces of text: the header row, then the rows, a few thousand a
    piece. On PostgreSQL one ``COPY (SELECT …) TO STDOUT`` gives the very bytes the Python
    writer would (:func:`_copy_rows`); elsewhere, or for data it could not write identically,
    the cases are read in chunks and written by :func:`case_row`."""
    out = io.StringIO()
    DictCsvWriter(out, COLUMNS).writerow(dict(zip(COLUMNS, header or COLUMNS, strict=True)))
    yield out.getvalue()
    rows = _copy_rows(cases, digest) if _copy_possible(cases) else _python_rows(cases, digest)
    yield from rows


def _python_rows(cases: QuerySet[Case], digest: ExportDigest | None) -> Iterator[str]:
    out = io.StringIO()
    writer = DictCsvWriter(out, COLUMNS)
    cases_in_order = export_queryset(cases).iterator(chunk_size=EXPORT_CHUNK)
    for count, case in enumerate(cases_in_order, start=1):
        writer.writerow(case_row(case))
        if digest is not None:
            digest.add(case.number)
        if count % EXPORT_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if text := out.getvalue():
        yield text


def _copy_possible(cases: QuerySet[Case]) -> bool:
    """Whether the COPY export writes exactly what :func:`case_row` would: PostgreSQL, and
    numbers and codes that need no quoting or formula guard, and no date-time before 1930."""
    if connection.vendor != "postgresql":
        return False
    # Every case's numbers (the joined_to column names cases outside the scope too), in one
    # scan; the reference tables are small; the dates of the scope's cases in one more scan.
    unusual_number = ~Q(number__regex=_PLAIN) | (~Q(erdr_number="") & ~Q(erdr_number__regex=_PLAIN))
    unusual = (
        Article.objects.exclude(code__regex=_PLAIN).exists()
        or Region.objects.exclude(code__regex=_PLAIN).exists()
        or Body.objects.exclude(code__regex=_PLAIN).exists()
        or Case.objects.filter(unusual_number).exists()
        or cases.filter(
            Q(registered_at__lt=_OFFSETS_WHOLE_SINCE) | Q(status_at__lt=_OFFSETS_WHOLE_SINCE)
        ).exists()
    )
    return not unusual


_COPY_SELECT = """
SELECT c.number, a.code, ap.number, r.code,
       to_char(c.registered_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'), c.status,
       to_char(c.status_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'),
       NULLIF(c.termination_ground, ''), NULLIF(c.suspension_ground, ''), j.number, b.code,
       p.victim_sex, p.victim_age_band,
       CASE WHEN p.all_consented THEN NULLIF(p.relationship, '') END,
       CASE WHEN c.is_demo THEN '1' ELSE '0' END,
       CASE WHEN p.victim_sex IS NOT NULL THEN '1' END,
       NULLIF(c.erdr_number, '')
FROM {case} c
JOIN {part} ap ON ap.id = c.article_part_id
JOIN {article} a ON a.id = ap.article_id
JOIN {region} r ON r.id = c.region_id
LEFT JOIN {case} j ON j.id = c.joined_to_id
LEFT JOIN {body} b ON b.id = c.investigating_body_id
LEFT JOIN LATERAL (
    SELECT (array_agg(sex ORDER BY id) FILTER (WHERE role = 'victim' AND consent_further_use))[1]
               AS victim_sex,
           (array_agg(age_band ORDER BY id)
               FILTER (WHERE role = 'victim' AND consent_further_use))[1] AS victim_age_band,
           (array_agg(relationship ORDER BY id) FILTER (WHERE role = 'suspect'))[1]
               AS relationship,
           bool_and(consent_further_use IS TRUE) FILTER (WHERE role = 'victim') AS all_consented
    FROM {party} WHERE case_id = c.id
) p ON true
{where}
ORDER BY c.registered_at, c.number
"""


def _copy_rows(cases: QuerySet[Case], digest: ExportDigest | None) -> Iterator[str]:
    """The rows by one ``COPY … TO STDOUT (FORMAT csv)`` in Kazakhstan time, the same bytes as
    :func:`case_row` through the CSV writer (``case_row`` is the definition; the tests compare
    them). The numbers are read off each row for the digest."""
    tables = {
        "case": Case._meta.db_table, "part": ArticlePart._meta.db_table,
        "article": Article._meta.db_table, "region": Region._meta.db_table,
        "body": Body._meta.db_table, "party": Party._meta.db_table,
    }  # fmt: skip
    params: tuple[Any, ...] = ()
    where = ""
    if cases.query.where:
        try:
            scope, params = cases.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # nothing in scope (e.g. a user with no region): no rows
            return
        where = f"WHERE c.id IN ({scope})"
    select = _COPY_SELECT.format(where=where, **{k: f'"{v}"' for k, v in tables.items()})
    sql = connection.ops.compose_sql(  # type: ignore[attr-defined]  # PostgreSQL only
        f"COPY ({select}) TO STDOUT (FORMAT csv)", params
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # to_char writes the session's time zone: Kazakhstan's for this statement only (the
        # connection's own, UTC, is what Django reads date-times in; inside an outer
        # transaction a SET LOCAL would outlive this block, so it is set back).
        cursor.execute("SELECT current_setting('TimeZone')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('TimeZone', %s, true)",
                       [timezone.get_current_timezone_name()])  # fmt: skip
        try:
            with cursor.cursor.copy(sql) as copy:
                rows: list[bytes] = []
                for data in copy:
                    row = bytes(data)
                    if digest is not None:
                        digest.add(row[: row.index(b",")].decode())
                    rows.append(row)
                    if len(rows) == EXPORT_CHUNK:
                        yield b"".join(rows).decode()
                        rows = []
                if rows:
                    yield b"".join(rows).decode()
        finally:
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous])


# --- Import ------------------------------------------------------------------------------

# Date-times are read between these years (Python's own range is 1–9999, and a time zone
# conversion at either end overflows); the rules then refuse what is before the article's entry
# into force or in the future.
YEARS = (1900, 9998)


@dataclass
class ParsedRow:
    """A row whose cells are valid on their own; references to other rows are checked later."""

    row: int
    number: str
    article_part: ArticlePart
    region: Region
    registered_at: dt.datetime
    status: str
    status_at: dt.datetime | None
    ground: str
    joined_to: str
    body: Body | None
    parties: list[services.PartyData] = field(default_factory=list)
    is_demo: bool = False
    erdr_number: str = ""
    raw: dict[str, str] = field(default_factory=dict)
    # Set while the file is numbered: (region, year), the position the file gave, the number.
    year: int = 0
    given: int | None = None
    placeholder: str = ""


# --- The schema of a row: how each cell is read, then the rules between cells ---------------


@dataclass(frozen=True)
class Lookups:
    """The reference data a row's cells name, read once per file."""

    articles: set[str]
    parts: dict[tuple[str, str], ArticlePart]
    regions: dict[str, Region]
    bodies: dict[str, Body]

    @classmethod
    def load(cls) -> Lookups:
        parts = {
            (part.article.code, str(part.number)): part
            for part in ArticlePart.objects.select_related("article")
        }
        return cls(
            articles={code for code, _number in parts},
            parts=parts,
            regions={r.code: r for r in Region.objects.all()},
            bodies={b.code: b for b in Body.objects.all()},
        )


class CellError(Exception):
    """A cell that cannot be read: the reason, translated."""


Reader = Callable[[str, Lookups], Any]


def _one_of(allowed: list[str]) -> Reader:
    def read(raw: str, lookups: Lookups) -> str:
        if raw not in allowed:
            values = ", ".join(v for v in allowed if v)
            raise CellError(_("expected one of: %(values)s") % {"values": values})
        return raw

    return read


def _text(raw: str, lookups: Lookups) -> str:
    return raw


def _article(raw: str, lookups: Lookups) -> str:
    if raw not in lookups.articles:
        raise CellError(_("unknown article"))
    return raw


def _region(raw: str, lookups: Lookups) -> Region:
    if raw not in lookups.regions:
        raise CellError(_("unknown region code (expected e.g. KZ-79)"))
    return lookups.regions[raw]


def _body(raw: str, lookups: Lookups) -> Body:
    if raw not in lookups.bodies:
        raise CellError(_("unknown body code"))
    return lookups.bodies[raw]


def _datetime(raw: str, lookups: Lookups) -> dt.datetime:
    try:
        value = parse_datetime(raw)
        if not YEARS[0] <= value.year <= YEARS[1]:
            raise OverflowError
        timezone.localtime(value)
    except ValueError:
        raise CellError(_("expected a date-time as YYYY-MM-DDTHH:MM:SS+05:00")) from None
    except OverflowError:
        raise CellError(
            _("the date is out of range (years %(first)d to %(last)d)")
            % {"first": YEARS[0], "last": YEARS[1]}
        ) from None
    return value


def _case_number(raw: str, lookups: Lookups) -> str:
    if numbering.NUMBER_RE.match(raw):
        return raw
    if numbering.ERDR_RE.match(raw):
        raise CellError(_("an ERDR number goes in the column “erdr_number”"))
    raise CellError(_("expected a number of this register, YYYY-RR-NNNNNN, or nothing"))


def _erdr_number(raw: str, lookups: Lookups) -> str:
    try:
        numbering.check_erdr_number(raw)
    except Invalid as exc:
        raise CellError(str(exc)) from None
    return raw


BOOLEAN = [TRUE, FALSE]
# Each column and how its (non-empty) cell is read; an empty cell is None.
READERS: dict[str, Reader] = {
    "number": _case_number,
    "article": _article,
    "part": _text,
    "region": _region,
    "registered_at": _datetime,
    "status": _one_of(CaseStatus.values),
    "status_at": _datetime,
    "termination_ground": _one_of(TerminationGround.values),
    "suspension_ground": _one_of(SuspensionGround.values),
    "joined_to": _text,
    "investigating_body": _body,
    "victim_sex": _one_of(Sex.values),
    "victim_age_band": _one_of(AgeBand.values),
    "relationship": _one_of(Relationship.values),
    "demo": _one_of(BOOLEAN),
    "victim_consent": _one_of(BOOLEAN),
    "erdr_number": _erdr_number,
}

# A rule between cells reads the cells that were read (``cells``: column -> value, None for an
# empty cell; a cell that could not be read is missing) and gives (column, reason) for each
# problem.
Problems = Iterator[tuple[str, str]]


def _part_exists(cells: dict[str, Any], lookups: Lookups) -> Problems:
    article, part = cells.get("article"), cells.get("part")
    if article and part and (article, part) not in lookups.parts:
        yield "part", _("article %(article)s has no such part") % {"article": article}


def _grounds_match_status(cells: dict[str, Any], lookups: Lookups) -> Problems:
    status = cells.get("status")
    if cells.get("termination_ground") and status != CaseStatus.TERMINATED:
        yield (
            "termination_ground",
            _("a termination ground is given only with the status “terminated”"),
        )
    if cells.get("suspension_ground") and status != CaseStatus.SUSPENDED:
        yield (
            "suspension_ground",
            _("a suspension ground is given only with the status “suspended”"),
        )


def _number_fits_row(cells: dict[str, Any], lookups: Lookups) -> Problems:
    number, region, registered_at = (cells.get(c) for c in ("number", "region", "registered_at"))
    if number and region and registered_at:
        try:
            numbering.check_given(number, region, timezone.localtime(registered_at).year)
        except Invalid as exc:
            yield "number", str(exc)


def _registration_allowed(cells: dict[str, Any], lookups: Lookups) -> Problems:
    """The registration's domain rules, the services' own (``services.registration_problems``):
    the date not in the future nor before the article came into force, the body of the row's
    region or national."""
    article, part = cells.get("article"), cells.get("part")
    article_part = lookups.parts.get((article, part)) if article and part else None
    for column, reason in services.registration_problems(
        cells.get("region"),
        article_part=article_part,
        registered_at=cells.get("registered_at"),
        investigating_body=cells.get("investigating_body"),
    ):
        yield column or "registered_at", reason


RULES: list[Callable[[dict[str, Any], Lookups], Problems]] = [
    _part_exists,
    _grounds_match_status,
    _number_fits_row,
    _registration_allowed,
]


def _read_cells(
    row: dict[str, Any], number: int, lookups: Lookups
) -> tuple[dict[str, Any], list[RowError]]:
    """The row's cells read by :data:`READERS`, and an error for each that cannot be."""
    cells: dict[str, Any] = {}
    errors: list[RowError] = []
    if "__extra__" in row:
        errors.append(
            RowError(number, "", ",".join(row["__extra__"]), _("more cells than columns"))
        )
    for column, read in READERS.items():
        raw = (row.get(column) or "").strip()
        if not raw:
            cells[column] = None
            if column in REQUIRED:
                errors.append(RowError(number, column, "", _("must not be empty")))
            continue
        try:
            cells[column] = read(raw, lookups)
        except CellError as exc:
            errors.append(RowError(number, column, raw, str(exc)))
    return cells, errors


def _parse_row(
    row: dict[str, Any], number: int, lookups: Lookups
) -> tuple[ParsedRow | None, list[RowError]]:
    """One row read against the schema: its cells, then the rules between them; every
    problem of the row is listed."""
    cells, errors = _read_cells(row, number, lookups)
    for rule in RULES:
        for column, reason in rule(cells, lookups):
            errors.append(RowError(number, column, (row.get(column) or "").strip(), reason))
    if errors:
        return None, errors
    return _parsed(row, number, cells, lookups), []


def _parties(cells: dict[str, Any]) -> list[services.PartyData]:
    """The first victim and the first suspect a row describes."""
    parties = []
    if cells["victim_sex"] or cells["victim_age_band"]:
        parties.append(
            services.PartyData(
                role=PartyRole.VICTIM,
                sex=cells["victim_sex"] or Sex.UNKNOWN,
                age_band=cells["victim_age_band"] or AgeBand.UNKNOWN,
                consent_further_use={TRUE: True, FALSE: False}.get(cells["victim_consent"]),
            )
        )
    if cells["relationship"]:
        parties.append(
            services.PartyData(role=PartyRole.SUSPECT, relationship=cells["relationship"])
        )
    return parties


def _parsed(row: dict[str, Any], number: int, cells: dict[str, Any], lookups: Lookups) -> ParsedRow:
    registered_at: dt.datetime = cells["registered_at"]
    year = timezone.localtime(registered_at).year
    case_number = cells["number"] or ""
    return ParsedRow(
        row=number,
        number=case_number,
        article_part=lookups.parts[(cells["article"], cells["part"])],
        region=cells["region"],
        registered_at=registered_at,
        status=cells["status"],
        status_at=cells["status_at"],
        ground=cells["termination_ground"] or cells["suspension_ground"] or "",
        joined_to=cells["joined_to"] or "",
        body=cells["investigating_body"],
        parties=_parties(cells),
        is_demo=cells["demo"] == TRUE,
        erdr_number=cells["erdr_number"] or "",
        raw=row,
        year=year,
        given=numbering.check_given(case_number, cells["region"], year) if case_number else None,
    )


# The command reads a file as it goes and checks it in bounded memory, so it takes larger files
# than an upload (``importing.MAX_FILE_BYTES`` / ``MAX_DATA_ROWS``, kept whole in the job's row
# and in the worker's memory): a national decade is about two million cases (docs/cases-csv.md).
COMMAND_MAX_BYTES = 2**30
COMMAND_MAX_ROWS = 5_000_000


class ImportedCases(Sequence[Case]):
    """The cases an import created, read from the database when iterated (in chunks: a million
    of them are not held as objects)."""

    CHUNK = 2000

    def __init__(self, ids: Sequence[int]):
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self._cases(self.ids[index]))
        return Case.objects.get(pk=self.ids[index])

    def __iter__(self) -> Iterator[Case]:
        return self._cases(self.ids)

    def _cases(self, ids: Sequence[int]) -> Iterator[Case]:
        for start in range(0, len(ids), self.CHUNK):
            chunk = list(ids[start : start + self.CHUNK])
            found = Case.objects.in_bulk(chunk)
            yield from (found[pk] for pk in chunk)


def _schema() -> bulk.Schema:
    return bulk.Schema(
        columns=COLUMNS, required=REQUIRED, lookups=Lookups.load(), parse_row=_parse_row,
        parse_datetime=parse_datetime,
    )  # fmt: skip


def import_cases(
    actor: Actor,
    data: bytes | str | None = None,
    *,
    path: Path | None = None,
    is_demo: bool | None = None,
    progress: bulk.Progress | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> ImportedCases:
    """Import cases from CSV (``data``, or the file at ``path`` read as it goes), all or
    nothing: ImportRejected with every error of the file, in the active language, and nothing
    written; else the cases created (``case.import``: one entry per region, see
    :func:`bulk._audit`).

    ``is_demo`` overrides the file's ``demo`` column when given. ``progress(stage, done,
    total)``, when given, is told the rows checked (``bulk.CHECK``: from 0 once the file's
    structure is read, before any row is checked; no transaction is open) and then the rows
    written (``bulk.SAVE``, inside the import's transaction: it must not write to the
    database). The limits default to the upload's (``core.importing``).

    The rows are checked in one streaming pass without any lock; only a file without any
    error is written, in one transaction that locks the number sequences of its regions and
    years (in a fixed order) for the time of its writing (``registry.bulk``).
    """
    policy.ensure(actor, "case.create")
    source = bulk.Source(data=data, path=path)
    max_bytes = importing.MAX_FILE_BYTES if max_bytes is None else max_bytes
    max_rows = importing.MAX_DATA_ROWS if max_rows is None else max_rows
    if error := importing.too_large(source.size(), max_bytes):
        raise error
    checked = bulk.check(actor, source, _schema, max_rows=max_rows, is_demo=is_demo,
                         progress=progress)  # fmt: skip
    try:
        with transaction.atomic():
            written = bulk.write_all(
                actor, checked, numbering.import_token(), source.sha256, progress
            )
    finally:
        checked.spool.close()
    return ImportedCases(written.ids)
