"""The fast import of cases: a file of a million rows in one transaction, in bounded memory
(docs/cases-csv.md, "Speed"). ``csvio.import_cases`` is its one caller.

Three passes, and nothing is written until the last:

1. **Structure** (:func:`scan`): the bytes are UTF-8, hold no NUL, are well-formed CSV within
   the limits, with a good header; the data rows are counted (the progress's total).
2. **Check** (:class:`_Checker`): each row is read against the schema of ``csvio`` (a fast
   check of the common, valid row; any row it does not accept goes through ``csvio``'s own
   readers and rules, which give the errors), then what ``services.register_case`` and
   ``lifecycle.record_initial_status`` would refuse (the region out of the actor's scope, an
   ERDR number already recorded, a status without its details, a joining to a missing or
   joined case) and the rows against each other (repeated numbers, numbers that do not continue
   their sequence). A valid row goes to a temporary spool file as a compact tuple; only small
   per-row facts stay in memory (an array of rows per number sequence, the ERDR numbers as
   integers). No lock is held and no transaction is open.
3. **Write** (:func:`_write`), only when the file had no error at all: one transaction locks
   the number sequences of the file's regions and years (``numbering.lock_sequences``, a fixed
   order), numbers the rows, and writes the cases, their first qualification, their status row
   and their parties — with ``COPY`` on PostgreSQL, batched ``INSERT`` on SQLite — then the
   sequences and the ``case.import`` audit entries, and commits. Any error rolls it all back.

The rows are written exactly as ``register_case`` writes them for an import (its Case,
Qualification, StatusChange and Party rows with the same values); the per-row services are not
called, which is what makes it fast. Statement-level triggers (the statistics aggregates) see
these statements like any other.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import pickle
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import write
from qorgau.core import importing
from qorgau.core.actors import Actor
from qorgau.core.importing import ImportRejected, RowError
from qorgau.reference import rules
from qorgau.reference.models import ArticlePart, Body, Region, RuleKind, TermUnit

from . import actions, changes, lifecycle, numbering, scoped
from .choices import (
    MINOR_AGE_BANDS,
    AgeBand,
    CaseStatus,
    PartyRole,
    Relationship,
    Sex,
    SuspensionGround,
    TerminationGround,
)
from .models import (
    Case,
    CaseNumberSequence,
    Change,
    ChangeKind,
    Party,
    Qualification,
    StatusChange,
)

# Rows checked together: their ERDR numbers are looked up in one query, and they go to the spool
# as one pickled batch.
BATCH = 2000
# Rows per COPY block / INSERT batch while writing.
WRITE_BATCH = 10_000
# Bytes read at a time from the file.
READ_CHUNK = 1 << 20
# Up to this many cases an import's audit entries list every case (id, number, row, values),
# as before; above it they record the ranges of numbers and the file's digest only.
AUDIT_LIST_MAX = 1000
# Cases per ``case.import`` entry when they are listed.
AUDIT_BATCH = 2000

# The stages told to ``progress(stage, done, total)``.
CHECK, SAVE = "check", "save"
Progress = Callable[[str, int, int], None]

_MISSING = object()
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(value: dt.datetime | None) -> int | None:
    """An aware date-time as microseconds since 1970 (UTC): spooled as a plain integer."""
    if value is None:
        return None
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def _moment(micros: int | None) -> dt.datetime | None:
    if micros is None:
        return None
    return _EPOCH + dt.timedelta(microseconds=micros)


# Kinds of errors, for their order within a row (the order the per-row import gave them).
_CELL, _REPEAT, _SEQUENCE, _SERVICE = 0, 1, 2, 3


# --- The source: bytes, text or a file --------------------------------------------------


@dataclass
class Source:
    """What is imported: the bytes or text of a file, or a path read as it goes."""

    data: bytes | str | None = None
    path: Path | None = None
    sha256: str = ""  # of the bytes, once checked

    def size(self) -> int:
        if self.path is not None:
            return self.path.stat().st_size
        assert self.data is not None
        return len(self.data.encode("utf-8")) if isinstance(self.data, str) else len(self.data)

    def binary(self) -> IO[bytes]:
        if self.path is not None:
            return open(self.path, "rb")
        data = self.data.encode("utf-8") if isinstance(self.data, str) else self.data
        return io.BytesIO(data or b"")

    def text(self) -> IO[str]:
        """The text, without a byte order mark, lines as they are (``newline=""``)."""
        if isinstance(self.data, str):
            return io.StringIO(self.data.removeprefix("\ufeff"), newline="")
        return io.TextIOWrapper(self.binary(), encoding="utf-8-sig", newline="")


# --- Pass 1: structure --------------------------------------------------------------------


def _check_bytes(source: Source) -> None:
    """UTF-8 and no NUL, read in chunks: the same errors as ``importing.read_csv_text`` (a bad
    byte wins over a NUL, wherever they are)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0  # in the bytes before the current chunk
    offset = 0  # of the current chunk in the file
    bom = 0
    nul_line = 0
    hasher = hashlib.sha256()
    with source.binary() as stream:
        first = True
        while chunk := stream.read(READ_CHUNK):
            hasher.update(chunk)
            if first and chunk.startswith(codecs.BOM_UTF8):
                bom = len(codecs.BOM_UTF8)
            try:
                decoder.decode(chunk[bom:] if first else chunk)
            except UnicodeDecodeError as exc:
                # As ``bytes.decode("utf-8-sig")`` reports it: the position after the mark,
                # its line counted in the file's bytes up to that position.
                position = offset + (0 if first else -bom) + exc.start
                line = _newlines_before(source, position) + 1
                raise _bad_utf8(line, position) from None
            if not nul_line and b"\x00" in chunk:
                nul_line = newlines + chunk.count(b"\n", 0, chunk.index(b"\x00")) + 1
            newlines += chunk.count(b"\n")
            offset += len(chunk)
            first = False
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            position = offset - bom - len(decoder.getstate()[0])
            raise _bad_utf8(_newlines_before(source, position) + 1, position) from None
    source.sha256 = hasher.hexdigest()
    if nul_line:
        raise ImportRejected(
            [RowError(nul_line, "", "", _("the file holds a NUL character: it is not a text file"))]
        )


def _newlines_before(source: Source, position: int) -> int:
    count = 0
    with source.binary() as stream:
        while position > 0 and (chunk := stream.read(min(READ_CHUNK, position))):
            count += chunk.count(b"\n")
            position -= len(chunk)
    return count


def _bad_utf8(line: int, position: int) -> ImportRejected:
    return ImportRejected(
        [RowError(line, "", "", _("the file is not UTF-8 text (byte %(pos)d)") % {"pos": position})]
    )


def _rows(text: IO[str], max_rows: int) -> Iterator[tuple[list[str], int]]:
    """The data rows of ``text`` after its header (blank lines skipped, as ``csv.DictReader``
    does), each with the line the parser stopped at. Raises ImportRejected for a malformed line
    or a row past ``max_rows``."""
    reader = csv.reader(text)
    try:
        next(reader, None)
    except csv.Error as exc:
        raise ImportRejected([importing._malformed(1, exc)]) from None
    count, line = 0, reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The line after the last row read, as ``csv.DictReader.line_num`` tells it.
            raise ImportRejected([importing._malformed(line + 1, exc)]) from None
        line = reader.line_num
        if not cells:
            continue
        if count == max_rows:
            reason = _("the file has more than %(limit)d rows; split it") % {"limit": max_rows}
            raise ImportRejected([RowError(reader.line_num, "", "", reason)])
        count += 1
        yield cells, reader.line_num


def scan(
    source: Source, required: list[str], columns: list[str], max_rows: int
) -> tuple[list[str], int]:
    """Pass 1: the file's header and how many data rows it has, or ImportRejected with the
    errors ``importing.read_csv_text`` gives for the same file (and the header's)."""
    _check_bytes(source)
    with source.text() as text:
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ImportRejected([importing._malformed(1, exc)]) from None
        if not header:
            raise ImportRejected([RowError(1, "", "", _("the file is empty or has no header row"))])
        if errors := importing._header_errors(header):
            raise ImportRejected(errors)
    with source.text() as text:
        total = sum(1 for _row in _rows(text, max_rows))
    errors = importing.require_columns(header, required)
    errors += [RowError(1, c, c, _("unknown column")) for c in header if c not in columns]
    if errors:
        raise ImportRejected(errors)
    if not total:
        raise ImportRejected([RowError(2, "", "", _("the file has no rows"))])
    return header, total


# --- Pass 2: check ------------------------------------------------------------------------


@dataclass
class Block:
    """One (region, year) number sequence as the file uses it: its last position when the
    check began, the rows that gave a number (``first[seq - last - 1]``: the first row that
    gave it; ``spooled[…]``: that row's place in the spool + 1 once it passed), the rows
    without a number, and the numbers given out of range."""

    region: Region
    year: int
    last: int
    first: array = field(default_factory=lambda: array("i"))
    spooled: array = field(default_factory=lambda: array("i"))
    given: int = 0
    blank: int = 0
    outside: list[tuple[int, str]] = field(default_factory=list)  # (row, number)

    def slot(self, seq: int, limit: int) -> int | None:
        """Index of position ``seq`` in the arrays; None when it cannot continue the sequence
        in a file of ``limit`` rows (before its end, or further than the file could reach)."""
        index = seq - self.last - 1
        if index < 0 or index >= limit:
            return None
        if index >= len(self.first):
            grow = index + 1 - len(self.first)
            self.first.extend(array("i", [0]) * grow)
            self.spooled.extend(array("i", [0]) * grow)
        return index


@dataclass
class Checked:
    """The outcome of pass 2: the spool of valid rows, what the write needs of them, the
    audit's listing (small imports), the file's errors."""

    spool: IO[bytes]
    count: int
    blocks: dict[tuple[int, int], Block]
    errors: list[tuple[int, int, RowError]]
    listed: list[dict[str, Any]] | None


# A spooled row: the values of the case, its first status and its parties.
# (row, region_id, year, given seq or 0, blank ordinal or 0, article_part_id, registered_at,
#  status, status_at or None, termination ground, suspension ground, body_id or None,
#  victim (sex, age band, minor, consent) or None, relationship, is_demo, erdr, term end,
#  joined (kind, value) or None, number as given)
R_ROW, R_REGION, R_YEAR, R_GIVEN, R_ORDINAL, R_PART, R_AT, R_STATUS, R_STATUS_AT = range(9)
R_TGROUND, R_SGROUND, R_BODY, R_VICTIM, R_RELATION, R_DEMO, R_ERDR, R_TERM, R_JOINED = range(9, 18)
R_NUMBER = 18


@dataclass(frozen=True)
class Schema:
    """The file's schema, ``csvio``'s: its columns, the required ones, the reference data its
    cells name (``csvio.Lookups``), how one row is read with its errors (``csvio._parse_row``:
    a ``ParsedRow`` or the row's errors) and how a date-time is read."""

    columns: list[str]
    required: list[str]
    lookups: Any
    parse_row: Callable[[dict[str, Any], int, Any], tuple[Any, list[RowError]]]
    parse_datetime: Callable[[str], dt.datetime]


def with_erdr(numbers: Iterable[str]) -> models.QuerySet[Case]:
    """The cases of these ERDR numbers. ``<> ''`` is said so that PostgreSQL uses the partial
    unique index (``erdr_number <> ''``) even for a list of over 100 numbers, which it cannot
    prove inside the index's condition (it read the whole table, or worse the trigram index,
    for every batch)."""
    return Case.objects.filter(erdr_number__in=list(numbers)).exclude(erdr_number="")


class _Checker:
    """Pass 2 over the rows of a file, for ``actor``."""

    def __init__(self, actor: Actor, schema: Schema, header: list[str], total: int,
                 is_demo: bool | None, progress: Progress | None):  # fmt: skip
        self.schema = schema
        self.actor, self.header, self.total = actor, header, total
        self.is_demo, self.progress = is_demo, progress
        self.lookups = schema.lookups
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.ruleset = rules.RuleSet()
        self.terms: dict[tuple[str, dt.date], object] = {}
        self.index = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        self.allowed = {
            r.pk for r in self.lookups.regions.values() if policy.can(actor, "case.create", r)
        }
        self.parts = {
            key: (part.pk, part.article.in_force_on, part.article.category, part.article)
            for key, part in self.lookups.parts.items()
        }
        self.last = {
            (region_id, year): value
            for region_id, year, value in CaseNumberSequence.objects.values_list(
                "region_id", "year", "last_value"
            )
        }
        self.blocks: dict[tuple[int, int], Block] = {}
        self.errors: list[tuple[int, int, RowError]] = []
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the import
        self.count = 0  # rows spooled
        self.erdr_values = array("q")
        self.erdr_rows = array("i")
        self.deferred: list[tuple] = []  # rows that name another case: checked at the end
        self.removed: set[int] = set()  # rows refused for a repeated ERDR number
        self.regions_by_pk = {r.pk: r for r in self.lookups.regions.values()}
        self.articles = {p[0]: p[3] for p in self.parts.values()}
        self.listed: list[dict[str, Any]] | None = [] if total <= AUDIT_LIST_MAX else None
        self.batch: list[tuple] = []
        self.sets = {
            "status": set(CaseStatus.values),
            "termination_ground": set(TerminationGround.values),
            "suspension_ground": set(SuspensionGround.values),
            "victim_sex": set(Sex.values),
            "victim_age_band": set(AgeBand.values),
            "relationship": set(Relationship.values),
        }

    # The error list -------------------------------------------------------------------------

    def _error(self, kind: int, row: int, column: str, value: str, reason: str) -> None:
        self.errors.append((row, kind, RowError(row, column, value, reason)))

    def _cell(self, cells: list[str], column: str) -> str:
        i = self.index.get(column)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    # The pass -------------------------------------------------------------------------------

    def run(self, rows: Iterator[tuple[list[str], int]]) -> Checked:
        step = max(1, self.total // 1000)
        if self.progress is not None:
            self.progress(CHECK, 0, self.total)
        for done, (cells, _line) in enumerate(rows, start=1):
            self._row(cells, done + 1)
            if len(self.batch) >= BATCH:
                self._flush()
            if self.progress is not None and (done % step == 0 or done == self.total):
                self.progress(CHECK, done, self.total)
        self._flush()
        self._repeated_erdr()
        self._joined()
        self._sequences()
        self.spool.seek(0)
        return Checked(self.spool, self.count, self.blocks, self.errors, self.listed)

    def _row(self, cells: list[str], row: int) -> None:
        record = self._fast(cells, row)
        if record is None:
            record = self._slow(cells, row)
            if record is None:
                return
        if record[R_ERDR]:
            self.erdr_values.append(int(record[R_ERDR]))
            self.erdr_rows.append(row)
        record = self._numbered(record)
        if record is None:
            return
        if self.listed is not None:
            values = {c: v for c in self.schema.columns if (v := self._cell(cells, c))}
            self.listed.append({"id": 0, "number": "", "row": row, "values": values})
        self.batch.append(record)

    def _fast(self, cells: list[str], row: int) -> tuple | None:
        """The row's record when every cell is plainly valid, else None (the slow path then
        gives its errors, or its record when this check was only cautious)."""
        if len(cells) != self.width:
            return None
        cell, sets, lookups = self._cell, self.sets, self.lookups
        part = self.parts.get((cell(cells, "article"), cell(cells, "part")))
        region = lookups.regions.get(cell(cells, "region"))
        status = cell(cells, "status")
        if part is None or region is None or status not in sets["status"]:
            return None
        part_id, in_force_on, category, _article = part
        try:
            registered_at = self.schema.parse_datetime(cell(cells, "registered_at"))
            raw_at = cell(cells, "status_at")
            status_at = self.schema.parse_datetime(raw_at) if raw_at else None
            if not 1900 <= registered_at.year <= 9998 or registered_at > self.now:
                return None
            if status_at is not None and not 1900 <= status_at.year <= 9998:
                return None
            local = registered_at.astimezone(self.tz)
            if status_at is not None:
                status_at.astimezone(self.tz)
        except (ValueError, OverflowError):
            return None
        if local.date() < in_force_on:
            return None
        tground, sground = cell(cells, "termination_ground"), cell(cells, "suspension_ground")
        if (tground and (tground not in sets["termination_ground"] or status != "terminated")) or (
            sground and (sground not in sets["suspension_ground"] or status != "suspended")
        ):
            return None
        body_code = cell(cells, "investigating_body")
        body = lookups.bodies.get(body_code) if body_code else None
        if body_code and (body is None or body.region_id not in (None, region.pk)):
            return None
        sex, band = cell(cells, "victim_sex"), cell(cells, "victim_age_band")
        relation, demo = cell(cells, "relationship"), cell(cells, "demo")
        consent, erdr = cell(cells, "victim_consent"), cell(cells, "erdr_number")
        if (
            (sex and sex not in sets["victim_sex"])
            or (band and band not in sets["victim_age_band"])
            or (relation and relation not in sets["relationship"])
            or demo not in ("", "0", "1")
            or consent not in ("", "0", "1")
            or (erdr and not numbering.ERDR_RE.match(erdr))
        ):
            return None
        number = cell(cells, "number")
        given = 0
        if number:
            if not numbering.NUMBER_RE.match(number):
                return None
            if number[:8] != f"{local.year:04d}-{region.code.removeprefix('KZ-')}-":
                return None
            given = int(number[8:])
        victim = None
        if sex or band:
            band = band or AgeBand.UNKNOWN
            victim = (sex or Sex.UNKNOWN, band, band in MINOR_AGE_BANDS, _consent(consent))
        is_demo = (demo == "1") if self.is_demo is None else self.is_demo
        return (
            row, region.pk, local.year, given, 0, part_id, registered_at, status, status_at,
            tground, sground, body.pk if body else None, victim, relation, is_demo, erdr,
            self._term(category, registered_at), cell(cells, "joined_to") or None, number,
        )  # fmt: skip

    def _slow(self, cells: list[str], row: int) -> tuple | None:
        """The row read by ``csvio``'s readers and rules: its errors, or its record."""
        values: dict[str, Any] = dict(zip(self.header, cells, strict=False))
        if len(cells) > self.width:
            values["__extra__"] = cells[self.width :]
        item, errors = self.schema.parse_row(values, row, self.lookups)
        for error in errors:
            self.errors.append((row, _CELL, error))
        if item is None:
            return None
        part = item.article_part
        victim = next((p for p in item.parties if p.role == PartyRole.VICTIM), None)
        suspect = next((p for p in item.parties if p.role == PartyRole.SUSPECT), None)
        return (
            row, item.region.pk, item.year, item.given or 0, 0, part.pk, item.registered_at,
            item.status, item.status_at, self._cell(cells, "termination_ground"),
            self._cell(cells, "suspension_ground"), item.body.pk if item.body else None,
            (victim.sex, victim.age_band, victim.age_band in MINOR_AGE_BANDS,
             victim.consent_further_use) if victim else None,
            suspect.relationship if suspect else "",
            item.is_demo if self.is_demo is None else self.is_demo, item.erdr_number,
            self._term(part.article.category, item.registered_at), item.joined_to or None,
            item.number,
        )  # fmt: skip

    def _term(self, category: str, registered_at: dt.datetime) -> dt.date | None:
        """``rules.investigation_term_end``; a term in months ends on a day that depends only
        on the local day of the registration, so those are computed once per day."""
        rule = self.ruleset.get(RuleKind.INVESTIGATION_TERM, category)
        if rule is None or rule.unit != TermUnit.MONTHS:
            return rules.investigation_term_end(category, registered_at, ruleset=self.ruleset)
        key = (category, registered_at.astimezone(self.tz).date())
        end = self.terms.get(key, _MISSING)
        if end is _MISSING:
            end = self.terms[key] = rules.investigation_term_end(
                category, registered_at, ruleset=self.ruleset
            )
        return end  # type: ignore[return-value]

    def _block(self, region_id: int, year: int) -> Block:
        key = (region_id, year)
        block = self.blocks.get(key)
        if block is None:
            region = self.regions_by_pk[region_id]
            block = self.blocks[key] = Block(region, year, self.last.get(key, 0))
        return block

    def _numbered(self, record: tuple) -> tuple | None:
        """Place the row in its sequence: a repeated number is an error of the row (which is
        then not checked further); a row without a number takes the next ordinal of its
        (region, year) in the file's order."""
        block = self._block(record[R_REGION], record[R_YEAR])
        seq, row = record[R_GIVEN], record[R_ROW]
        if not seq:
            block.blank += 1
            return (*record[:R_ORDINAL], block.blank, *record[R_ORDINAL + 1 :])
        slot = block.slot(seq, self.total)
        if slot is None:
            block.outside.append((row, record[R_NUMBER]))
            block.given += 1
            return record
        first = block.first[slot]
        if first:
            reason = _("the same number is in row %(row)d") % {"row": first}
            self._error(_REPEAT, row, "number", record[R_NUMBER], reason)
            return None
        block.first[slot] = row
        block.given += 1
        return record

    def _flush(self) -> None:
        """Check the batch as the services would (its ERDR numbers in one query) and spool the
        rows that pass."""
        if not self.batch:
            return
        erdrs = [r[R_ERDR] for r in self.batch if r[R_ERDR]]
        taken = set()
        if erdrs:
            taken = set(with_erdr(erdrs).values_list("erdr_number", flat=True))
        now = timezone.now()
        passed = []
        for record in self.batch:
            if record[R_JOINED] is not None or record[R_STATUS] == CaseStatus.JOINED:
                self.deferred.append(record)  # joining: checked once every row is known
                continue
            if self._refused(record, taken, now, None):
                continue
            passed.append(record)
        self._spool(passed)
        self.batch = []

    def _spool(self, records: list[tuple]) -> None:
        for record in records:
            if record[R_GIVEN]:
                block = self.blocks[(record[R_REGION], record[R_YEAR])]
                slot = block.slot(record[R_GIVEN], self.total)
                if slot is not None:
                    block.spooled[slot] = self.count + 1
            self.count += 1
        if records:
            # Date-times as integers: pickling aware date-times is slow.
            plain = [
                (
                    *r[:R_AT],
                    _micros(r[R_AT]),
                    r[R_STATUS],
                    _micros(r[R_STATUS_AT]),
                    *r[R_STATUS_AT + 1 :],
                )
                for r in records
            ]
            pickle.dump(plain, self.spool, protocol=pickle.HIGHEST_PROTOCOL)

    def _refused(self, record: tuple, taken: set[str], now: dt.datetime,
                 joined: tuple[str, str] | None) -> bool:  # fmt: skip
        """Record the first error ``register_case`` would raise for the row, in its order:
        the region out of scope, the ERDR number recorded, then the status's details."""
        row = record[R_ROW]
        if record[R_REGION] not in self.allowed:
            reason = _("you may not register cases in this region")
            region = self.regions_by_pk[record[R_REGION]]
            self._error(_SERVICE, row, "region", region.code, reason)
            return True
        if record[R_ERDR] and record[R_ERDR] in taken:
            reason = _("ERDR number %(number)s is already recorded for another case.") % {
                "number": record[R_ERDR]
            }
            self._error(_SERVICE, row, "erdr_number", record[R_ERDR], reason)
            return True
        if reason := self._status_problem(record, now, joined):
            self._error(_SERVICE, row, "status", record[R_STATUS], reason)
            return True
        return False

    def _status_problem(self, record: tuple, now: dt.datetime,
                        joined: tuple[str, str] | None) -> str:  # fmt: skip
        """``lifecycle.record_initial_status``'s refusal of the row's status, or "" (the rule
        is the lifecycle's: :func:`lifecycle.initial_status_problem`)."""
        return lifecycle.initial_status_problem(
            record[R_STATUS],
            ground=record[R_TGROUND] or record[R_SGROUND],
            article=self.articles[record[R_PART]],
            joined=joined,
            at=record[R_STATUS_AT] or record[R_AT],
            registered_at=record[R_AT],
            now=now,
        )

    def _repeated_erdr(self) -> None:
        """Rows whose ERDR number an earlier row has: each later one is an error (and is not
        checked further)."""
        values, rows = self.erdr_values, self.erdr_rows
        previous, first = -1, 0
        for i in sorted(range(len(values)), key=values.__getitem__):  # stable: rows in order
            if values[i] != previous:
                previous, first = values[i], rows[i]
                continue
            reason = _("the same number is in row %(row)d") % {"row": first}
            self._error(_REPEAT, rows[i], "erdr_number", f"{values[i]:015d}", reason)
            self.removed.add(rows[i])
        if self.removed:
            self.errors = [
                e for e in self.errors if not (e[1] == _SERVICE and e[0] in self.removed)
            ]
            self.deferred = [r for r in self.deferred if r[R_ROW] not in self.removed]

    def _joined(self) -> None:
        """The rows that name another case, in the file's order, after every other row: the
        case they name is a row of the file that passed (given its number) or a case of the
        database the actor may see; anything else is "no such case"."""
        if not self.deferred:
            return
        names = {r[R_JOINED] for r in self.deferred if r[R_JOINED]}
        in_db = {
            number: (pk, status)
            for number, pk, status in scoped.cases_for(self.actor)
            .filter(number__in=names)
            .values_list("number", "pk", "status")
        } if names else {}  # fmt: skip
        earlier: dict[str, int] = {}  # joined rows that passed: number -> spool place + 1
        removed = self.removed
        erdrs = [r[R_ERDR] for r in self.deferred if r[R_ERDR]]
        taken = set(with_erdr(erdrs).values_list("erdr_number", flat=True)) if erdrs else set()
        now = timezone.now()
        self.deferred.sort(key=lambda r: (r[R_STATUS] == CaseStatus.JOINED, r[R_ROW]))
        for record in self.deferred:
            name = record[R_JOINED]
            target = None
            if name:
                target = self._in_file(name, record, earlier, removed)
                if target is None and name in in_db:
                    pk, status = in_db[name]
                    target = (("d", pk), status)
                if target is None:
                    self._error(_SERVICE, record[R_ROW], "joined_to", name, _("no such case"))
                    continue
            joined = (name, target[1]) if target is not None else None
            if self._refused(record, taken, now, joined):
                continue
            record = (*record[:R_JOINED], target[0] if target else None, *record[R_JOINED + 1 :])
            if record[R_NUMBER]:
                earlier[record[R_NUMBER]] = self.count + 1
            self._spool([record])

    def _in_file(self, name: str, record: tuple, earlier: dict[str, int],
                 removed: set[int]) -> tuple[tuple[str, int], str] | None:  # fmt: skip
        """The row of the file that ``name`` names and that had passed when ``record`` was
        reached (as the per-row import saw it): ((kind, spool place), its status)."""
        if name in earlier and record[R_STATUS] == CaseStatus.JOINED:
            return ("f", earlier[name] - 1), CaseStatus.JOINED
        parsed = numbering.parse_number(name)
        if parsed is None:
            return None
        year, code, seq = parsed
        region = self.lookups.regions.get(code)
        block = self.blocks.get((region.pk, year)) if region else None
        slot = block.slot(seq, self.total) if block else None
        if block is None or slot is None or not block.spooled[slot]:
            return None
        if block.first[slot] in removed:
            return None
        if record[R_STATUS] != CaseStatus.JOINED and block.first[slot] > record[R_ROW]:
            return None  # a later row was not registered yet when this one was
        return ("f", block.spooled[slot] - 1), CaseStatus.INVESTIGATION

    def _sequences(self) -> None:
        """Numbers given that do not continue their sequence without a gap (checked against
        the sequences as they are now; again under their locks when writing)."""
        for block in self.blocks.values():
            for row, number in sequence_errors(block, block.last):
                self._error(_SEQUENCE, row, "number", number, _sequence_reason(block, block.last))


def _consent(raw: str) -> bool | None:
    return {"1": True, "0": False}.get(raw)


def _sequence_reason(block: Block, last: int) -> str:
    return _(
        "the numbers given for this region and year must continue its sequence without a gap: "
        "%(first)s to %(last)s"
    ) % {
        "first": numbering.format_number(block.year, block.region, last + 1),
        "last": numbering.format_number(block.year, block.region, last + block.given),
    }


def sequence_errors(block: Block, last: int) -> list[tuple[int, str]]:
    """(row, number) of each number given in ``block`` outside ``last + 1 … last + given``."""
    found = list(block.outside)
    for index, row in enumerate(block.first):
        seq = block.last + 1 + index
        if row and not last < seq <= last + block.given:
            found.append((row, numbering.format_number(block.year, block.region, seq)))
    return found


def check(actor: Actor, source: Source, schema: Callable[[], Schema], *, max_rows: int,
          is_demo: bool | None, progress: Progress | None) -> Checked:  # fmt: skip
    """Passes 1 and 2: the file's errors (ImportRejected), or its valid rows spooled.
    ``schema`` gives the schema (reading the reference data its cells name)."""
    schema_ = schema()
    header, total = scan(source, schema_.required, schema_.columns, max_rows)
    checker = _Checker(actor, schema_, header, total, is_demo, progress)
    with source.text() as text:
        checked = checker.run(_rows(text, max_rows))
    if checked.errors:
        checked.spool.close()
        checked.errors.sort(key=lambda e: (e[0], e[1]))
        raise ImportRejected([e[2] for e in checked.errors])
    return checked


# --- Pass 3: write ------------------------------------------------------------------------


def _records(spool: IO[bytes]) -> Iterator[tuple]:
    """The spooled rows, their date-times back as date-times (UTC)."""
    spool.seek(0)
    while True:
        try:
            batch = pickle.load(spool)  # noqa: S301 - our own temporary file, never input
        except EOFError:
            return
        for r in batch:
            yield (
                (
                    *r[:R_AT],
                    _moment(r[R_AT]),
                    r[R_STATUS],
                    _moment(r[R_STATUS_AT]),
                    *r[R_STATUS_AT + 1 :],
                )
            )


class _Writer:
    """Rows to tables: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def case_ids(self, count: int) -> Iterator[int]:
        """``count`` new ids of the cases table."""
        table = Case._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                done = 0
                while done < count:
                    n = min(WRITE_BATCH * 10, count - done)
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)",
                        [table, n],
                    )
                    for (pk,) in cursor.fetchall():
                        yield pk
                    done += n
            else:
                # SQLite: the import holds the only write lock (it wrote the sequences).
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - a model's table
                start = cursor.fetchone()[0] + 1
                yield from range(start, start + count)

    def stream(self, model: type[models.Model], columns: list[str], rows: Iterator[tuple]) -> None:
        """Write ``rows`` to ``model``'s table: on PostgreSQL in one ``COPY`` statement (sent in
        blocks of :data:`WRITE_BATCH` rows) — one statement per table, so the statistics'
        statement-level triggers run once per table, over all its rows; on SQLite by
        ``executemany`` in batches."""
        table = model._meta.db_table
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                line = _LINES.get(model) or (lambda r: "\t".join(map(_copy_text, r)) + "\n")
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for batch in _batches(rows):
                        copy.write("".join(map(line, batch)))
                return
            fields = {f.column: f for f in model._meta.concrete_fields}
            marks = ", ".join(["%s"] * len(columns))
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - model's columns
            for batch in _batches(rows):
                prepared = [
                    [
                        fields[c].get_db_prep_save(v, connection)
                        for c, v in zip(columns, r, strict=True)
                    ]
                    for r in batch
                ]
                cursor.executemany(sql, prepared)


def _batches(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= WRITE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _n(value: Any) -> Any:
    return "\\N" if value is None else value


def _tf(value: bool | None) -> str:
    return "\\N" if value is None else ("t" if value else "f")


# The lines of COPY's text format for the rows the import writes, faster than value by value.
# Their text values are codes (checked against their choices) and numbers; the one free text,
# the status row's reason ("imported" in the importer's language), is escaped when it is made.
_LINES: dict[type[models.Model], Callable[[tuple], str]] = {
    Case: lambda r: (
        f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5].isoformat()}\t{r[6]}\t{_n(r[7])}\t"
        f"{r[8]}\t{r[9]}\t{r[10].isoformat()}\t{r[11]}\t{r[12]}\t{_n(r[13])}\t{_n(r[14])}\t"
        f"{_tf(r[15])}\t{r[16].isoformat()}\t{_n(r[17])}\n"
    ),
    Qualification: lambda r: (
        f"{r[0]}\t{r[1]}\t{r[2].isoformat()}\t{_n(r[3])}\t{r[4]}\t{r[5].isoformat()}\n"
    ),
    StatusChange: lambda r: (
        f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3].isoformat()}\t{_n(r[4])}\t{r[5]}\t{r[6]}\t"
        f"{r[7].isoformat()}\n"
    ),
    Party: lambda r: f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{_tf(r[4])}\t{r[5]}\t{_tf(r[6])}\n",
    Change: lambda r: f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3].isoformat()}\t{r[4]}\t{r[5]}\n",
}


CASE_COLUMNS = [
    "id", "number", "number_year", "number_seq", "erdr_number", "registered_at", "region_id",
    "investigating_body_id", "article_part_id", "status", "status_at", "termination_ground",
    "suspension_ground", "joined_to_id", "term_ends_on", "is_demo", "created_at", "created_by_id",
]  # fmt: skip
# recorded_at: the record time of the rows (registry.asof), the same instant as the cases'
# created_at, whatever registered_at the file gives.
QUALIFICATION_COLUMNS = ["case_id", "article_part_id", "qualified_at", "qualified_by_id", "reason", "recorded_at"]  # fmt: skip
STATUS_COLUMNS = ["case_id", "from_status", "to_status", "changed_at", "changed_by_id", "reason", "ground", "recorded_at"]  # fmt: skip
CHANGE_COLUMNS = ["kind", "object_id", "action", "at", "region_id", "data"]
PARTY_COLUMNS = ["case_id", "role", "sex", "age_band", "is_minor", "relationship", "consent_further_use"]  # fmt: skip


def _check_columns() -> None:
    """The columns written are every column of the tables (a new field must be added here)."""
    tables: list[tuple[type[models.Model], list[str]]] = [
        (Case, CASE_COLUMNS),
        (Qualification, ["id", *QUALIFICATION_COLUMNS]),
        (StatusChange, ["id", *STATUS_COLUMNS]),
        (Party, ["id", *PARTY_COLUMNS]),
    ]
    for model, columns in tables:
        have = {str(f.column) for f in model._meta.concrete_fields}
        if have != set(columns):
            raise RuntimeError(
                f"bulk import of {model.__name__}: columns {sorted(have ^ set(columns))}"
            )


@dataclass
class Written:
    """What the write gave: the cases' ids in the spool's order, the numbers of each block."""

    ids: array
    ranges: dict[tuple[int, int], tuple[int, int]]  # block -> (first seq, last seq)


def write_all(actor: Actor, checked: Checked, token: str, digest: str,
              progress: Progress | None) -> Written:  # fmt: skip
    """Pass 3, inside the caller's transaction: lock the sequences, check the given numbers
    against them, write every row, move the sequences on, write the audit entries.

    On PostgreSQL what needs no number is written before the sequences are locked: the cases'
    ids are taken and their qualification, status and party rows copied (their foreign keys
    to the cases are checked at the commit), so that the locks are held only for the cases
    themselves. On SQLite, one writer at a time, the lock comes first (it also makes the ids
    read from the table safe)."""
    _check_columns()
    blocks = checked.blocks
    used = {key: b for key, b in blocks.items() if b.given or b.blank}
    writer = _Writer()
    user_id = actor.user.pk if actor.user is not None else None
    now = timezone.now()  # the record time of every row written (created_at, recorded_at)
    if writer.postgres:
        ids = array("q", writer.case_ids(checked.count))
        _write_children(writer, checked, ids, user_id, now)
    locked = numbering.lock_sequences({(b.region, b.year) for b in used.values()})
    last = {key: locked[key].last_value for key in used}
    errors = []
    for key, block in used.items():
        for row, number in sequence_errors(block, last[key]):
            errors.append(
                (row, RowError(row, "number", number, _sequence_reason(block, last[key])))
            )
        if last[key] + block.given + block.blank > numbering.MAX_SEQ:
            raise ImportRejected(
                [RowError(0, "number", "", str(numbering._sequence_full(block.region, block.year)))]
            )
    if errors:
        errors.sort(key=lambda e: e[0])
        raise ImportRejected([e[1] for e in errors])
    if not writer.postgres:
        ids = array("q", writer.case_ids(checked.count))
        _write_children(writer, checked, ids, user_id, now)
    by_row = {e["row"]: e for e in checked.listed} if checked.listed is not None else None

    def cases() -> Iterator[tuple]:
        for place, record in enumerate(_records(checked.spool)):
            key = (record[R_REGION], record[R_YEAR])
            block = blocks[key]
            seq = record[R_GIVEN] or last[key] + block.given + record[R_ORDINAL]
            number = numbering.format_number(block.year, block.region, seq)
            pk = ids[place]
            joined = record[R_JOINED]
            joined_id = None
            if joined is not None:
                joined_id = ids[joined[1]] if joined[0] == "f" else joined[1]
            status = record[R_STATUS]
            yield (
                pk, number, block.year, seq, record[R_ERDR], record[R_AT], record[R_REGION],
                record[R_BODY], record[R_PART], status, record[R_STATUS_AT] or record[R_AT],
                record[R_TGROUND] if status == CaseStatus.TERMINATED else "",
                record[R_SGROUND] if status == CaseStatus.SUSPENDED else "",
                joined_id if status == CaseStatus.JOINED else None, record[R_TERM],
                record[R_DEMO], now, user_id,
            )  # fmt: skip
            if by_row is not None:
                entry = by_row[record[R_ROW]]
                entry["id"], entry["number"], entry["region_id"] = pk, number, record[R_REGION]
            if progress is not None and (place + 1) % WRITE_BATCH == 0:
                progress(SAVE, place + 1, checked.count)

    writer.stream(Case, CASE_COLUMNS, cases())
    if progress is not None:
        progress(SAVE, checked.count, checked.count)
    ranges = {}
    for key, block in used.items():
        ranges[key] = (last[key] + 1, last[key] + block.given + block.blank)
        sequence = locked[key]
        sequence.last_value = last[key] + block.given + block.blank
        sequence.save(update_fields=["last_value"])
    _audit(actor, checked, used, ranges, token, digest)
    _write_changes(writer, checked, ids, last, now)
    return Written(ids, ranges)


def _write_changes(
    writer: _Writer, checked: Checked, ids: array, last: dict[tuple[int, int], int],
    now: dt.datetime,
) -> None:  # fmt: skip
    """The change feed's row of every case written (``changes``, one per case, action
    ``case.import``), after the audit entries: the trail's lock is held, so their positions
    follow the commit order. The representation is ``changes.case_data``'s, made from the
    spooled rows (a test compares the two)."""
    changes.lock()
    blocks = checked.blocks
    regions = {r.pk: r.code for r in Region.objects.all()}
    bodies = dict(Body.objects.values_list("pk", "code"))
    parts = {
        pk: (code, number)
        for pk, code, number in ArticlePart.objects.values_list("pk", "article__code", "number")
    }
    minor_unknown = AgeBand.UNKNOWN in MINOR_AGE_BANDS
    iso = changes._iso
    action = str(actions.CASE_IMPORT)
    postgres = writer.postgres

    def rows() -> Iterator[tuple]:
        for place, r in enumerate(_records(checked.spool)):
            key = (r[R_REGION], r[R_YEAR])
            block = blocks[key]
            seq = r[R_GIVEN] or last[key] + block.given + r[R_ORDINAL]
            status = r[R_STATUS]
            joined = r[R_JOINED]
            joined_id = None
            if joined is not None and status == CaseStatus.JOINED:
                joined_id = ids[joined[1]] if joined[0] == "f" else joined[1]
            parties = []
            if r[R_RELATION]:
                parties.append({"role": PartyRole.SUSPECT.value, "sex": Sex.UNKNOWN.value,
                                "age_band": AgeBand.UNKNOWN.value, "is_minor": minor_unknown,
                                "relationship": r[R_RELATION]})  # fmt: skip
            if r[R_VICTIM] is not None:
                sex, band, minor, _consent = r[R_VICTIM]
                parties.append({"role": PartyRole.VICTIM.value, "sex": sex, "age_band": band,
                                "is_minor": minor, "relationship": ""})  # fmt: skip
            article, part = parts[r[R_PART]]
            body = r[R_BODY]
            data = {
                "id": ids[place],
                "number": numbering.format_number(block.year, block.region, seq),
                "erdr_number": r[R_ERDR], "region": regions[r[R_REGION]],
                "registered_at": iso(r[R_AT]), "article": article, "part": part,
                "status": status, "status_at": iso(r[R_STATUS_AT] or r[R_AT]),
                "termination_ground": r[R_TGROUND] if status == CaseStatus.TERMINATED else "",
                "suspension_ground": r[R_SGROUND] if status == CaseStatus.SUSPENDED else "",
                "joined_to": joined_id,
                "investigating_body": bodies[body] if body is not None else "",
                "term_ends_on": iso(r[R_TERM]), "is_demo": r[R_DEMO], "parties": parties,
            }  # fmt: skip
            text = json.dumps(data, ensure_ascii=False)
            yield (
                ChangeKind.CASE.value, ids[place], action, now, r[R_REGION],
                _copy_text(text) if postgres else data,
            )  # fmt: skip

    writer.stream(Change, CHANGE_COLUMNS, rows())


def _write_children(
    writer: _Writer, checked: Checked, ids: array, user_id: int | None, now: dt.datetime
) -> None:
    """Each case's first qualification, first status row and parties, as ``register_case``
    writes them for an imported case: one pass over the spool per table."""
    imported = _("imported")
    if writer.postgres:
        imported = _copy_text(imported)
    minor_unknown = AgeBand.UNKNOWN in MINOR_AGE_BANDS

    def qualifications() -> Iterator[tuple]:
        for place, r in enumerate(_records(checked.spool)):
            yield (ids[place], r[R_PART], r[R_AT], user_id, "", now)

    def statuses() -> Iterator[tuple]:
        for place, r in enumerate(_records(checked.spool)):
            yield (
                ids[place], "", r[R_STATUS], r[R_STATUS_AT] or r[R_AT], user_id,
                imported if r[R_STATUS_AT] else "", r[R_TGROUND] or r[R_SGROUND], now,
            )  # fmt: skip

    def parties() -> Iterator[tuple]:
        for place, r in enumerate(_records(checked.spool)):
            if r[R_VICTIM] is not None:
                sex, band, minor, consent = r[R_VICTIM]
                yield (ids[place], PartyRole.VICTIM, sex, band, minor, "", consent)
            if r[R_RELATION]:
                yield (ids[place], PartyRole.SUSPECT, Sex.UNKNOWN, AgeBand.UNKNOWN,
                       minor_unknown, r[R_RELATION], None)  # fmt: skip

    writer.stream(Qualification, QUALIFICATION_COLUMNS, qualifications())
    writer.stream(StatusChange, STATUS_COLUMNS, statuses())
    writer.stream(Party, PARTY_COLUMNS, parties())


def _audit(actor: Actor, checked: Checked, used: dict[tuple[int, int], Block],
           ranges: dict[tuple[int, int], tuple[int, int]], token: str, digest: str) -> None:  # fmt: skip
    """One ``case.import`` entry per region (and, for a small import that lists its cases,
    per batch of 2,000 of them): the import's token, the file's SHA-256 and rows, the region's
    count and its ranges of numbers (every case of an import in a region and year is one
    range, given at the end without gaps) — and, up to ``AUDIT_LIST_MAX`` cases, each case's
    id, number, row in the file and the row's non-empty cells."""
    by_region: dict[Region, list[tuple[int, Block]]] = {}
    for key, block in used.items():
        by_region.setdefault(block.region, []).append((key[1], block))
    listed: dict[int, list[dict[str, Any]]] = {}
    if checked.listed is not None:
        for entry in checked.listed:
            if entry.get("number"):
                region_id = entry.pop("region_id")
                listed.setdefault(region_id, []).append(entry)
    for region, years in sorted(by_region.items(), key=lambda pair: pair[0].code):
        region_ranges: list[dict[str, Any]] = [
            {"year": year, "count": block.given + block.blank,
             "first": numbering.format_number(year, region, ranges[(region.pk, year)][0]),
             "last": numbering.format_number(year, region, ranges[(region.pk, year)][1])}
            for year, block in sorted(years, key=lambda pair: pair[0])
        ]  # fmt: skip
        count = sum(r["count"] for r in region_ranges)
        details: dict[str, Any] = {
            "import": token, "count": count, "ranges": region_ranges,
            "file_sha256": digest, "file_cases": checked.count,
        }  # fmt: skip
        cases = listed.get(region.pk)
        if cases is None:
            write(actor, actions.CASE_IMPORT, region_code=region.code, details=details)
            continue
        for start in range(0, len(cases), AUDIT_BATCH):
            batch = cases[start : start + AUDIT_BATCH]
            write(actor, actions.CASE_IMPORT, region_code=region.code,
                  details={**details, "count": len(batch), "cases": batch})  # fmt: skip
