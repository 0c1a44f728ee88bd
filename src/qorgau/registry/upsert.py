"""Create or update cases keyed by their ERDR number (docs/cases-csv.md, "Upsert by ERDR
number"): ``qorgau import-cases --upsert`` and ``POST /api/v1/cases:bulk`` call :func:`upsert`.

The input is NDJSON (one JSON object a line, its names the CSV's columns, every value a string
or null) or the cases CSV; it is read a line at a time and checked in batches of
:data:`BATCH` rows (their ERDR numbers looked up in one query), so memory does not grow with
the input; the per-row results go to a temporary file (:meth:`UpsertResult.rows` reads them
back). Each row is read by ``csvio``'s readers and rules, then:

- an ERDR number not yet recorded: the case is registered (``services.register_case``, with
  the row's status as an imported status), with the next Qorgau number of its region and year;
- a recorded one: the case keeps its Qorgau number, region and registration date (a row that
  gives others is refused); a new qualification goes through ``services.requalify`` and a new
  status through ``lifecycle.transition`` (which refuses what may not follow), each with the
  reason "updated from the ERDR"; a row equal to the case is "unchanged". The comparison is
  set-based: a batch's cases are read in one query (their compared fields only), and a row
  that the bulk import's quick reader takes and that equals its case costs no query at all;
- an ERDR number given by an earlier row of the request: an error of the later row.

``atomic=True``: one transaction; every row is still tried (each in a savepoint) so that every
error is reported, and any error rolls all of it back (``committed`` False). The services'
own audit entries are replaced by one ``case.upsert`` entry with the counts (and, for up to
``bulk.AUDIT_LIST_MAX`` rows, each row's outcome). ``atomic=False``: each row commits or fails
alone, with the services' own entries, and one ``case.upsert`` entry sums it up. Every case
created or changed leaves a row in the change feed (``registry.changes``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import heapq
import itertools
import json
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.context import entries_replaced
from qorgau.audit.log import write
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid, QorgauError
from qorgau.core.importing import ImportRejected, RowError
from qorgau.core.tabular import CsvWriter, is_formula_like

from . import actions, bulk, changes, csvio, lifecycle, numbering, scoped, services
from .choices import CaseStatus
from .models import Case

NDJSON, CSV = "ndjson", "csv"
FORMATS = (NDJSON, CSV)
# Rows checked together (one query for their ERDR numbers).
BATCH = 500
# The longest line read (bytes); a longer one is a row error, skipped without being kept.
MAX_LINE = 64 * 1024
# Rows at most in one request.
MAX_ROWS = 5_000_000
# Up to this many rows the atomic mode's audit entry lists each row's outcome.
AUDIT_LIST_MAX = 1000

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"


@dataclass
class RowResult:
    """What became of one row: its row number (NDJSON: its line; CSV: as a spreadsheet counts,
    the header being row 1), its ERDR number, the outcome, the case's Qorgau number, and every
    problem found (``{"field", "message"}``)."""

    row: int
    erdr_number: str
    outcome: str
    number: str = ""
    messages: list[dict[str, str]] = field(default_factory=list)


@dataclass
class UpsertResult:
    """The outcome of one request: whether anything was committed, the counts by outcome, and
    the rows' results (read back from a temporary file by :meth:`rows`)."""

    atomic: bool
    committed: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    spool: IO[str] = field(
        default_factory=lambda: tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by close()
    )

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.errors

    def add(self, result: RowResult) -> None:
        setattr(self, _COUNTERS[result.outcome], getattr(self, _COUNTERS[result.outcome]) + 1)
        self.spool.write(json.dumps(_plain(result), ensure_ascii=False) + "\n")

    def rows(self) -> Iterator[RowResult]:
        """Each row's result, in the input's order. In atomic mode, when ``committed`` is
        False, the rows marked created or updated were rolled back with the rest."""
        self.spool.flush()
        self.spool.seek(0)
        for line in self.spool:
            yield RowResult(**json.loads(line))
        self.spool.seek(0, 2)

    def close(self) -> None:
        self.spool.close()


def _plain(result: RowResult) -> dict[str, Any]:
    """``asdict(result)``, without its deep copy (a million rows)."""
    return vars(result)


_COUNTERS = {CREATED: "created", UPDATED: "updated", UNCHANGED: "unchanged", ERROR: "errors"}


class _Rollback(Exception):
    """Raised to roll back an atomic request that had an error."""


# --- Reading the input ----------------------------------------------------------------------


def _lines(stream: Any) -> Iterator[bytes | str]:
    """The input's lines: from a file (read with a bounded ``readline``), from bytes or text,
    or from an iterable that yields lines (a generator)."""
    if isinstance(stream, bytes | str):
        stream = iter(stream.splitlines(keepends=True))
    if hasattr(stream, "readline"):
        while True:
            line = stream.readline(MAX_LINE + 1)
            if not line:
                return
            if len(line) > MAX_LINE and not line.endswith(
                b"\n" if isinstance(line, bytes) else "\n"
            ):
                while True:  # the rest of the too long line, dropped
                    rest = stream.readline(MAX_LINE + 1)
                    if not rest or rest.endswith(b"\n" if isinstance(rest, bytes) else "\n"):
                        break
            yield line
        return
    yield from stream


class _LineError(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _text(line: bytes | str, first: bool) -> str:
    """A line as text: UTF-8 (a byte order mark on the first line skipped), no NUL, not over
    :data:`MAX_LINE`."""
    if len(line) > MAX_LINE:
        raise _LineError(_("the line is longer than %(limit)d bytes") % {"limit": MAX_LINE})
    if isinstance(line, bytes):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise _LineError(_("the line is not UTF-8 text")) from None
    else:
        text = line
    if first:
        text = text.removeprefix(codecs.BOM_UTF8.decode("utf-8"))
    if "\x00" in text:
        raise _LineError(_("the line holds a NUL character"))
    return text


def _ndjson(stream: Any) -> Iterator[tuple[int, dict[str, str] | None, list[RowError]]]:
    """(row, cells, errors) of each non-blank line: cells None when the line is refused."""
    for number, line in enumerate(_lines(stream), start=1):
        try:
            text = _text(line, number == 1)
        except _LineError as exc:
            yield number, None, [RowError(number, "", "", exc.reason)]
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(
                text, parse_constant=_no_constant, parse_int=_Number, parse_float=_Number
            )
        except (ValueError, RecursionError):
            yield number, None, [RowError(number, "", "", _("the line is not a JSON object"))]
            continue
        if not isinstance(value, dict):
            yield number, None, [RowError(number, "", "", _("the line is not a JSON object"))]
            continue
        cells: dict[str, str] = {}
        errors = []
        for name, cell in value.items():
            if name not in csvio.COLUMNS:
                errors.append(RowError(number, str(name)[:80], "", _("unknown column")))
            elif cell is None:
                cells[name] = ""
            elif isinstance(cell, str) and not isinstance(cell, _Number):
                cells[name] = cell
            else:
                shown = (cell if isinstance(cell, _Number) else json.dumps(cell))[:80]
                errors.append(
                    RowError(number, name, shown, _("every value is written as a JSON string"))
                )
        yield number, (None if errors else cells), errors


class _Number(str):
    """A JSON number, kept as its text: never converted (a number of 5,000 digits or 1e999
    is refused as what it is, not as an overflow)."""

    __slots__ = ()


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _csv(stream: Any) -> Iterator[tuple[int, dict[str, str] | None, list[RowError]]]:
    """(row, cells, errors) of each data row of the cases CSV (the header is row 1)."""
    problems: list[RowError] = []
    seen = [0]

    def texts() -> Iterator[str]:
        for number, line in enumerate(_lines(stream), start=1):
            seen[0] = number
            try:
                yield _text(line, number == 1)
            except _LineError as exc:
                problems.append(RowError(number, "", "", exc.reason))
                yield "\n"

    reader = csv.reader(texts())
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield 1, None, [RowError(1, "", "", str(exc))]
        return
    if not header or problems:
        yield (
            1,
            None,
            problems or [RowError(1, "", "", _("the file is empty or has no header row"))],
        )
        return
    errors = [
        RowError(1, c[:80], c[:80], _("unknown column")) for c in header if c not in csvio.COLUMNS
    ]
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", "", _("a column is named twice")))
    if errors:
        yield 1, None, errors
        return
    row = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            yield row, None, [RowError(row, "", "", str(exc))]
            continue
        row += 1
        if problems:
            found, problems[:] = list(problems), []
            yield row, None, [RowError(row, e.column, e.value, e.reason) for e in found]
            continue
        if not cells:
            row -= 1
            continue
        if len(cells) != len(header):
            yield (
                row,
                None,
                [
                    RowError(
                        row, "", "", _("the row has a different number of cells than the header")
                    )
                ],
            )
            continue
        yield row, dict(zip(header, cells, strict=True)), []


def _cell_problems(row: int, cells: dict[str, str]) -> list[RowError]:
    """What no column accepts, said plainly: a cell a spreadsheet would run as a formula, a
    missing ERDR number."""
    errors = []
    for name, value in cells.items():
        if "\x00" in value:
            errors.append(RowError(row, name, "", _("the cell holds a NUL character")))
        elif value and is_formula_like(value.strip() or value):
            errors.append(
                RowError(
                    row,
                    name,
                    value[:80],
                    _("a cell that a spreadsheet would read as a formula is refused"),
                )
            )
    if not (cells.get("erdr_number") or "").strip():
        errors.append(RowError(row, "erdr_number", "", _("an upsert needs the ERDR number")))
    return errors


# --- Applying a row -------------------------------------------------------------------------


def _messages(errors: Iterable[RowError]) -> list[dict[str, str]]:
    return [{"field": e.column, "message": str(e.reason)} for e in errors]


def _error_of(exc: QorgauError) -> list[dict[str, str]]:
    if isinstance(exc, Invalid):
        return [{"field": f or "", "message": str(m)} for f, m in exc.problems]
    return [{"field": exc.field or "", "message": str(exc)}]


class _Upserter:
    def __init__(self, actor: Actor, result: UpsertResult, *, fast: bool):
        self.actor, self.result = actor, result
        self.lookups = csvio.Lookups.load()
        self.reason = _("updated from the ERDR")
        self.listed: list[dict[str, Any]] = []
        # The fast path (all or nothing only): the rows of ERDR numbers not yet recorded go to
        # a CSV file in the import's format, imported at the end by ``bulk`` (COPY), with
        # ``creates[i]`` the input row of the file's data row i.
        self.fast = fast
        self.creates = array("i")
        self.file: IO[str] | None = None
        self.writer: Any = None
        # The ERDR numbers of the rows checked here (not those left to the bulk import, which
        # finds its own repeats): a set to ask, and in input order with their rows, to name
        # the first row of a repeated one.
        self.seen: set[int] = set()
        self.seen_values, self.seen_rows = array("q"), array("i")
        self.checker: bulk._Checker | None = None  # its quick reader, for unchanged rows

    def _spool_create(self, row: int, cells: dict[str, str]) -> None:
        if self.file is None:
            self.file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by import_new
                "w+", encoding="utf-8", newline="", suffix=".csv"
            )
            # The one writer (core.tabular). Cells go stripped, as the bulk import reads them:
            # a cell formula-like once stripped was refused before the spool, and a raw one
            # ("\t1", "-5 ") would otherwise be written with the writer's guarding quote.
            self.writer = CsvWriter(self.file)
            self.writer.writerow(csvio.COLUMNS)
        self.writer.writerow([cells.get(c, "").strip() for c in csvio.COLUMNS])
        self.creates.append(row)

    def import_new(self) -> None:
        """The fast path's end, inside the request's transaction: check and write the new
        cases with the bulk import (its checks are ``register_case``'s, its audit entries
        ``case.import``), then each such row's result, merged into the others by row."""
        if self.file is None:
            return
        self.file.flush()
        errors: dict[int, list[dict[str, str]]] = {}
        try:
            source = bulk.Source(path=Path(self.file.name))
            checked = bulk.check(self.actor, source,
                                 csvio._schema, max_rows=MAX_ROWS, is_demo=None,
                                 progress=None)  # fmt: skip
            try:
                bulk.write_all(self.actor, checked, numbering.import_token(), source.sha256, None)
            finally:
                checked.spool.close()
        except ImportRejected as exc:
            for error in exc.errors:
                index = max(error.row - 2, 0)
                row = self.creates[min(index, len(self.creates) - 1)]
                errors.setdefault(row, []).append(
                    {"field": error.column, "message": self._input_row(str(error.reason))}
                )
        self.file.seek(0)
        reader = csv.reader(self.file)
        next(reader)
        column = csvio.COLUMNS.index("erdr_number")
        merged = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - the result's
        old = self.result.spool
        old.flush()
        old.seek(0)
        done = (json.loads(line) for line in old)
        new = self._created(reader, column, errors)
        for item in heapq.merge(done, new, key=lambda r: r["row"]):
            merged.write(json.dumps(item, ensure_ascii=False) + "\n")
        old.close()
        self.file.close()
        self.result.spool = merged

    def _input_row(self, reason: str) -> str:
        """The bulk import's "the same number is in row N" names a row of the file it was
        given (the new rows, from 2): the input's row instead."""
        sentinel = 999_999_937
        before, _sep, after = (
            _("the same number is in row %(row)d") % {"row": sentinel}
        ).partition(str(sentinel))
        middle = reason.removeprefix(before).removesuffix(after)
        if not (reason.startswith(before) and reason.endswith(after) and middle.isdigit()):
            return reason
        index = int(middle) - 2
        if not 0 <= index < len(self.creates):
            return reason
        return before + str(self.creates[index]) + after

    def _created(self, reader: Any, column: int,
                 errors: dict[int, list[dict[str, str]]]) -> Iterator[dict[str, Any]]:  # fmt: skip
        """The results of the new rows, their numbers read by ERDR number 1,000 at a time."""
        rows = iter(self.creates)
        while True:
            chunk = [(next(rows, None), cells) for cells in itertools.islice(reader, 1000)]
            if not chunk:
                return
            erdrs = [cells[column].strip() for _row, cells in chunk]
            numbers = dict(
                bulk.with_erdr(erdrs).values_list("erdr_number", "number")
            ) if not errors else {}  # fmt: skip
            for (row, _cells), erdr in zip(chunk, erdrs, strict=True):
                messages = errors.get(row or 0, [])
                outcome = ERROR if messages else CREATED
                result = RowResult(row or 0, erdr, outcome, numbers.get(erdr, ""), messages)
                self._count(result)
                yield _plain(result)

    def _count(self, result: RowResult) -> None:
        name = _COUNTERS[result.outcome]
        setattr(self.result, name, getattr(self.result, name) + 1)
        if len(self.listed) < AUDIT_LIST_MAX:
            self.listed.append({"row": result.row, "erdr_number": result.erdr_number,
                                "outcome": result.outcome, "number": result.number})  # fmt: skip

    def batch(self, rows: list[tuple[int, dict[str, str] | None, list[RowError]]]) -> None:
        """Check and apply a batch of rows, set-based: one query for the compared fields of
        the cases their ERDR numbers name (:class:`_Current`, no model instances), so that a
        row equal to its case costs no query; only a row that differs (or joins a case) loads
        its case and goes through the services."""
        erdrs = {e for _r, c, _e in rows if c and (e := c.get("erdr_number", "").strip())}
        current = _current(erdrs)
        # A case outside the actor's scope is neither compared nor named: its row is an error
        # (the policy decides, on the case's region, as for a page).
        hidden = {e for e, case in current.items() if not policy.can(self.actor, "case.view", case)}
        # (row, ERDR number, the row read or None, its errors, the case when equal to it)
        checked: list[tuple[int, str, csvio.ParsedRow | None, list[RowError], _Current | None]]
        checked = []
        for row, cells, errors in rows:
            erdr = (cells or {}).get("erdr_number", "").strip()
            if cells is not None and not errors:
                errors = _cell_problems(row, cells)
            if cells is not None and not errors and erdr in hidden:
                reason = _("The ERDR number is recorded for a case outside your scope.")
                errors = [RowError(row, "erdr_number", erdr, reason)]
            if cells is not None and not errors and self.fast and erdr not in current:
                self._spool_create(row, cells)  # the bulk import finds a repeated number
                continue
            if (
                cells is not None
                and not errors
                and erdr in current
                and self._same(row, cells, current[erdr])
            ):
                checked.append((row, erdr, None, [], current[erdr]))
                continue
            parsed = None
            if cells is not None and not errors:
                parsed, errors = csvio._parse_row(cells, row, self.lookups)
            checked.append((row, erdr, parsed, errors, None))
        for row, erdr, parsed, errors, same in checked:
            if same is not None:
                if not self._repeated(row, erdr, same.number):
                    self._add(RowResult(row, erdr, UNCHANGED, same.number))
                continue
            if parsed is None:
                self._add(RowResult(row, erdr, ERROR, messages=_messages(errors)))
                continue
            found = current.get(parsed.erdr_number)
            if self._repeated(row, parsed.erdr_number, found.number if found else ""):
                continue
            self._add(self._apply(row, parsed, found))

    def _same(self, row: int, cells: dict[str, str], case: _Current) -> bool:
        """Whether the row is plainly valid and equal to ``case`` in every compared field,
        read by the bulk import's quick reader (``bulk._Checker._fast``: a record only for a
        row whose every cell is valid, else None) rather than by ``csvio``'s readers and rules
        with their messages; a row that names a joined case, or differs, or that the quick
        reader does not take, is read and applied as before."""
        if (cells.get("joined_to") or "").strip() or case.joined_to_id is not None:
            return False
        if self.checker is None:
            self.checker = bulk._Checker(self.actor, csvio._schema(), list(csvio.COLUMNS),
                                         0, None, None)  # fmt: skip
            self.checker.spool.close()  # only its reader is used
        record = self.checker._fast([cells.get(c, "") for c in csvio.COLUMNS], row)
        return record is not None and (
            record[bulk.R_NUMBER] in ("", case.number)
            and record[bulk.R_REGION] == case.region_id
            and record[bulk.R_AT] == case.registered_at
            and record[bulk.R_BODY] in (None, case.body_id)
            and record[bulk.R_PART] == case.article_part_id
            and record[bulk.R_STATUS] == case.status
            and (record[bulk.R_TGROUND] or record[bulk.R_SGROUND])
            == (case.termination_ground or case.suspension_ground)
        )

    def _repeated(self, row: int, erdr: str, number: str) -> bool:
        """Whether an earlier row of the request has ``erdr`` (then this row is an error)."""
        if not numbering.ERDR_RE.match(erdr):
            return False
        value = int(erdr)
        if value not in self.seen:
            self.seen.add(value)
            self.seen_values.append(value)
            self.seen_rows.append(row)
            return False
        first = self.seen_rows[self.seen_values.index(value)]  # rare: a linear search
        reason = _("the same number is in row %(row)d") % {"row": first}
        messages = [{"field": "erdr_number", "message": reason}]
        self._add(RowResult(row, erdr, ERROR, number, messages))
        return True

    def _add(self, result: RowResult) -> None:
        self.result.add(result)
        if len(self.listed) < AUDIT_LIST_MAX:
            self.listed.append({"row": result.row, "erdr_number": result.erdr_number,
                                "outcome": result.outcome, "number": result.number})  # fmt: skip

    def _apply(self, row: int, parsed: csvio.ParsedRow, case: _Current | None) -> RowResult:
        erdr = parsed.erdr_number
        try:
            if case is None:
                with transaction.atomic():
                    created = self._create(parsed)
                return RowResult(row, erdr, CREATED, created.number)
            changed = self._update(parsed, case)
            return RowResult(row, erdr, UPDATED if changed else UNCHANGED, case.number)
        except QorgauError as exc:
            number = case.number if case is not None else ""
            return RowResult(row, erdr, ERROR, number, _error_of(exc))

    def _joined(self, parsed: csvio.ParsedRow) -> Case | None:
        if not parsed.joined_to:
            return None
        # Rare (a joining row never takes the quick comparison): one query, in the scope.
        found = scoped.cases_for(self.actor).filter(number=parsed.joined_to).first()
        if found is None:
            raise Invalid("joined_to", _("no such case"))
        return found

    def _create(self, parsed: csvio.ParsedRow) -> Case:
        imported = None
        if parsed.status != CaseStatus.INVESTIGATION or parsed.status_at is not None:
            imported = services.ImportedStatus(
                status=parsed.status, at=parsed.status_at, ground=parsed.ground,
                joined_to=self._joined(parsed),
            )  # fmt: skip
        return services.register_case(
            self.actor, parsed.region, article_part=parsed.article_part,
            registered_at=parsed.registered_at, investigating_body=parsed.body,
            parties=parsed.parties, number=parsed.number, erdr_number=parsed.erdr_number,
            is_demo=parsed.is_demo, imported=imported,
        )  # fmt: skip

    def _update(self, parsed: csvio.ParsedRow, case: _Current) -> bool:
        """Bring the case to the row through the services; False when nothing differs (told
        from ``case``'s compared fields alone: no query)."""
        problems = []
        if parsed.number and parsed.number != case.number:
            problems.append(
                (
                    "number",
                    _("a case keeps its own Qorgau number (%(number)s)") % {"number": case.number},
                )
            )
        if parsed.region.pk != case.region_id:
            problems.append(("region", _("a case's region cannot change through an upsert")))
        if parsed.registered_at != case.registered_at:
            problems.append(("registered_at", _("a case's registration date cannot change")))
        if parsed.body is not None and parsed.body.pk != case.body_id:
            problems.append(
                (
                    "investigating_body",
                    _("a case's investigating body cannot change through an upsert"),
                )
            )
        if problems:
            raise Invalid.of(problems)
        requalify = parsed.article_part.pk != case.article_part_id
        joined = self._joined(parsed)
        ground = parsed.ground
        move = (
            parsed.status != case.status
            or ground != (case.termination_ground or case.suspension_ground)
            or (joined.pk if joined else None) != case.joined_to_id
        )
        if not (requalify or move):
            return False  # no query, no savepoint for the common row that changes nothing
        with transaction.atomic():  # both changes or neither
            instance = Case.objects.select_related("article_part__article", "region").get(
                pk=case.pk
            )
            if requalify:
                services.requalify(self.actor, instance, parsed.article_part, reason=self.reason)
            if move:
                at = parsed.status_at or timezone.now()
                lifecycle.transition(self.actor, instance, parsed.status, reason=self.reason,
                                     ground=ground, joined_to=joined, at=at)  # fmt: skip
        return True


class _Current(NamedTuple):
    """What an upsert compares of a recorded case (read for a batch in one query)."""

    pk: int
    number: str
    region_id: int
    registered_at: dt.datetime
    body_id: int | None
    article_part_id: int
    status: str
    termination_ground: str
    suspension_ground: str
    joined_to_id: int | None


_CURRENT = ["erdr_number", "pk", "number", "region_id", "registered_at", "investigating_body_id",
            "article_part_id", "status", "termination_ground", "suspension_ground",
            "joined_to_id"]  # fmt: skip


def _current(erdrs: set[str]) -> dict[str, _Current]:
    """The compared fields of the recorded cases of ``erdrs``, by ERDR number: one query."""
    if not erdrs:
        return {}
    return {v[0]: _Current(*v[1:]) for v in bulk.with_erdr(erdrs).values_list(*_CURRENT)}


def upsert(actor: Actor, stream: Any, *, fmt: str = NDJSON, atomic: bool = True) -> UpsertResult:
    """Create or update the cases of ``stream`` (NDJSON or CSV: bytes, text, a file, or an
    iterable of lines) keyed by their ERDR number, as ``actor``; all or nothing
    (``atomic=True``) or row by row. Returns the counts and each row's result; writes one
    ``case.upsert`` audit entry (plus, row by row, the services' own)."""
    policy.ensure(actor, "case.create")  # the right of the import it extends
    if fmt not in FORMATS:
        raise Invalid("format", _("Unknown format “%(value)s”.") % {"value": fmt})
    result = UpsertResult(atomic=atomic)
    upserter = _Upserter(actor, result, fast=atomic)
    rows = _ndjson(stream) if fmt == NDJSON else _csv(stream)

    def run() -> None:
        pending: list[tuple[int, dict[str, str] | None, list[RowError]]] = []
        for count, item in enumerate(rows, start=1):
            if count > MAX_ROWS:
                reason = _("the file has more than %(limit)d rows; split it") % {"limit": MAX_ROWS}
                upserter._add(
                    RowResult(item[0], "", ERROR, messages=[{"field": "", "message": reason}])
                )
                break
            pending.append(item)
            if len(pending) >= BATCH:
                upserter.batch(pending)
                pending = []
        upserter.batch(pending)

    def summary(committed: bool) -> None:
        details: dict[str, Any] = {
            "format": fmt, "atomic": atomic, "committed": committed, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged, "errors": result.errors,
        }  # fmt: skip
        if atomic and result.total <= AUDIT_LIST_MAX:
            details["rows"] = sorted(upserter.listed, key=lambda r: r["row"])
        write(actor, actions.CASE_UPSERT, details=details)

    if atomic:
        try:
            with transaction.atomic():
                with entries_replaced(), changes.deferred() as noted:
                    run()
                upserter.import_new()
                if result.errors:
                    raise _Rollback
                summary(True)
                changes.flush(noted)
            result.committed = True
        except _Rollback:
            summary(False)
    else:
        run()
        summary(True)
        result.committed = result.created + result.updated > 0
    return result
