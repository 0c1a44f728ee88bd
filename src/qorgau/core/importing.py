"""What every file import shares: errors that name row, column, value and reason.

Imports are all-or-nothing: a loader collects every error of the file, raises
:class:`ImportRejected` with all of them, and writes nothing (the caller runs inside
``transaction.atomic``).
"""

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import Invalid


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file. ``row`` counts lines as a spreadsheet shows them:
    the header is row 1, the first data row is row 2."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return _("row %(row)s, column “%(column)s”, value “%(value)s”: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "value": shorten(self.value),
            "reason": self.reason,
        }


def shorten(value: str) -> str:
    """A value as an error repeats it: at most ``SHOWN_VALUE_CHARS`` characters."""
    if len(value) <= SHOWN_VALUE_CHARS:
        return value
    return value[: SHOWN_VALUE_CHARS - 1] + "…"


class ImportRejected(Invalid):
    """The file was rejected; nothing was written. ``errors`` lists every problem found (the
    file as a whole is the invalid input: ``field`` is None)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            None,
            _("The file was rejected, nothing was imported. Errors: %(count)d.")
            % {"count": len(errors)},
        )

    def report(self) -> str:
        """The message and every error, one per line."""
        return "\n".join([str(self)] + [str(e) for e in self.errors])


# Limits of a CSV file read by :func:`read_csv_text` (docs/cases-csv.md). A cell longer than
# ``MAX_CELL_CHARS`` is refused by the csv module's own limit (131,072 characters), reported as
# an error of its row.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DATA_ROWS = 100_000
MAX_CELL_CHARS = 131_072
# How much of a refused value an error repeats.
SHOWN_VALUE_CHARS = 80


def too_large(size: int, max_bytes: int | None = None) -> ImportRejected | None:
    """The error for a file of ``size`` bytes over the limit, else None: checked before a
    file is read into memory."""
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if size <= max_bytes:
        return None
    return ImportRejected(
        [
            RowError(
                0, "", "", _("the file is larger than %(limit)d MB") % {"limit": max_bytes // 2**20}
            )
        ]
    )


def _line_of(data: bytes, position: int) -> int:
    """The line (1 = the header) holding byte ``position``."""
    return data.count(b"\n", 0, position) + 1


def read_csv_text(
    data: bytes | str, *, max_bytes: int | None = None, max_rows: int | None = None
) -> tuple[list[str], list[dict[str, str]]]:
    """Parse UTF-8 CSV (with or without a byte-order mark) into its header and rows keyed by it.

    Raises ImportRejected, never another exception, when the file is larger than ``max_bytes``
    or has more than ``max_rows`` data rows, is not UTF-8, holds a NUL character, is not
    well-formed CSV (e.g. a cell over the cell limit), has no header, or names a column twice
    or not at all. The limits default to ``MAX_FILE_BYTES`` and ``MAX_DATA_ROWS``.
    """
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_DATA_ROWS if max_rows is None else max_rows
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if error := too_large(size, max_bytes):
        raise error
    if isinstance(data, bytes):
        raw = data
        try:
            data = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                [
                    RowError(
                        _line_of(raw, exc.start),
                        "",
                        "",
                        _("the file is not UTF-8 text (byte %(pos)d)") % {"pos": exc.start},
                    )
                ]
            ) from None
    elif data.startswith("\ufeff"):
        data = data[1:]
    if "\x00" in data:
        line = data.count("\n", 0, data.index("\x00")) + 1
        raise ImportRejected(
            [RowError(line, "", "", _("the file holds a NUL character: it is not a text file"))]
        )
    reader = csv.DictReader(io.StringIO(data, newline=""))
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ImportRejected([_malformed(1, exc)]) from None
    if not header:
        raise ImportRejected([RowError(1, "", "", _("the file is empty or has no header row"))])
    errors = _header_errors(header)
    if errors:
        raise ImportRejected(errors)
    rows: list[dict[str, str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The line being read when the parser stopped is the one after the last counted.
            raise ImportRejected([_malformed(reader.line_num + 1, exc)]) from None
        if len(rows) == max_rows:
            raise ImportRejected(
                [
                    RowError(
                        reader.line_num,
                        "",
                        "",
                        _("the file has more than %(limit)d rows; split it") % {"limit": max_rows},
                    )
                ]
            )
        if None in row:  # more cells than header columns
            rows.append({**row, "__extra__": row.pop(None)})
        else:
            rows.append(row)
    return list(header), rows


def _malformed(line: int, exc: csv.Error) -> RowError:
    if "field larger than field limit" in str(exc):
        reason = _("a cell is longer than %(limit)d characters") % {"limit": MAX_CELL_CHARS}
    else:
        reason = _("the line is not well-formed CSV")
    return RowError(line, "", "", reason)


def _header_errors(header: Sequence[str]) -> list[RowError]:
    errors, seen = [], set()
    for position, name in enumerate(header, start=1):
        if not name.strip():
            errors.append(
                RowError(1, "", "", _("column %(position)d has no name") % {"position": position})
            )
        elif name in seen:
            errors.append(RowError(1, name, name, _("the column appears more than once")))
        seen.add(name)
    return errors


def require_columns(header: list[str], required: list[str]) -> list[RowError]:
    """Errors for each required column missing from the header."""
    present = set(header)
    return [
        RowError(1, column, "", _("required column is missing"))
        for column in required
        if column not in present
    ]


# --- XLSX workbooks ------------------------------------------------------------------------
# What an imported workbook may hold (docs/campaigns.md, "Limits"). A real plan is tens of
# activities in a file of tens of kilobytes; the limits leave room a hundred times over and
# keep one upload from holding a worker for long or filling its memory. The zip is checked
# before openpyxl parses anything, and rows are counted as they are streamed: the sheet's own
# <dimension> is not trusted.
XLSX_MAX_BYTES = 5 * 2**20  # the file as uploaded
XLSX_MAX_PARTS = 100  # files inside the zip
XLSX_MAX_UNPACKED = 20 * 2**20  # all of them unpacked
XLSX_MAX_RATIO = 100  # unpacked / packed size of a part over 1 MiB (a zip bomb is ~1000)
XLSX_MAX_SHEETS = 10
XLSX_MAX_ROWS = 5000  # per sheet, empty rows included
XLSX_MAX_COLUMNS = 50
XLSX_MAX_CELL = 4000  # characters in one cell
XLSX_MAX_SECONDS = 10.0  # reading the whole workbook
XLSX_MAX_SMALL_PART = 2**20  # the workbook, its relationships and the styles: kilobytes


def _refuse(reason: str, row: int = 0, column: str = "", value: str = "") -> ImportRejected:
    return ImportRejected([RowError(row, column, value, reason)])


def _check_zip(data: bytes) -> None:
    """Refuse a file too large, not a zip, or whose parts unpack to too much (a zip bomb),
    reading only the zip's directory."""
    import zipfile

    if len(data) > XLSX_MAX_BYTES:
        raise _refuse(
            _("the file is larger than %(limit)d MB") % {"limit": XLSX_MAX_BYTES // 2**20}
        )
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(_("the file is not an XLSX workbook")) from None
    if len(parts) > XLSX_MAX_PARTS:
        raise _refuse(_("the workbook has more than %(n)d parts") % {"n": XLSX_MAX_PARTS})
    unpacked = sum(p.file_size for p in parts)
    suspicious = [
        p for p in parts
        if p.file_size > 2**20 and p.file_size > XLSX_MAX_RATIO * max(p.compress_size, 1)
    ]  # fmt: skip
    if unpacked > XLSX_MAX_UNPACKED or suspicious:
        raise _refuse(
            _("the workbook unpacks to more than %(mb)d MB or is compressed suspiciously well")
            % {"mb": XLSX_MAX_UNPACKED // 2**20}
        )


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_xlsx(data: bytes, sheets: list[str]) -> dict[str, list[tuple]]:
    """The rows (tuples of cell values, as cached by the spreadsheet: no formula is run; a
    cell with a date format is a ``datetime``) of the named sheets that the workbook has; a
    sheet it lacks is left out of the result. Trailing empty cells of a row are dropped.

    The parts are streamed with defusedxml (no entity, no external reference) and nothing is
    read past a limit: openpyxl is not used here because even in read-only mode it parses a
    whole sheet that lacks a ``<dimension>`` before the first row, and pads every row to the
    width a ``<dimension>`` declares. Raises ImportRejected with one clear error when the file
    is not a workbook or passes one of the ``XLSX_MAX_*`` limits (size, parts, unpacked size
    and compression, sheets, rows, columns, cell length, time)."""
    import time
    import zipfile

    _check_zip(data)
    deadline = time.monotonic() + XLSX_MAX_SECONDS
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            book = _Package(package, deadline)
            return {name: book.rows(name) for name in sheets if name in book.sheet_paths}
    except ImportRejected:
        raise
    except Exception:  # damaged zip or XML, forbidden entities, a missing part
        raise _refuse(_("the file is not an XLSX workbook")) from None


def read_xlsx_first_sheet(data: bytes) -> list[tuple]:
    """The rows of the workbook's first sheet, whatever its name (a table published by
    another body names its sheet as it likes), read as :func:`read_xlsx` reads, within its
    limits."""
    import time
    import zipfile

    _check_zip(data)
    deadline = time.monotonic() + XLSX_MAX_SECONDS
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            book = _Package(package, deadline)
            first = next(iter(book.sheet_paths), None)
            return book.rows(first) if first is not None else []
    except ImportRejected:
        raise
    except Exception:  # damaged zip or XML, forbidden entities, a missing part
        raise _refuse(_("the file is not an XLSX workbook")) from None


class _Package:
    """The parts of a workbook that reading values needs: sheet names and paths, shared
    strings, which cell styles are dates, and the date system."""

    def __init__(self, package, deadline: float):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.package, self.deadline = package, deadline
        names = set(package.namelist())
        workbook = self._tree("xl/workbook.xml")
        targets = {
            rel.get("Id"): rel.get("Target", "")
            for rel in self._tree("xl/_rels/workbook.xml.rels").iter(f"{PKG_REL_NS}Relationship")
        }
        entries = list(workbook.iter(f"{MAIN_NS}sheet"))
        if len(entries) > XLSX_MAX_SHEETS:
            raise _refuse(_("the workbook has more than %(n)d sheets") % {"n": XLSX_MAX_SHEETS})
        self.sheet_paths = {}
        for entry in entries:
            target = targets.get(entry.get(f"{REL_NS}id"), "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            self.sheet_paths[entry.get("name")] = path
        properties = workbook.find(f"{MAIN_NS}workbookPr")
        mac = properties is not None and properties.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
        self.strings: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for item in self._stream("xl/sharedStrings.xml", f"{MAIN_NS}si"):
                if len(self.strings) >= XLSX_MAX_ROWS * XLSX_MAX_COLUMNS:
                    raise _refuse(_("the file is not an XLSX workbook"))  # more than it can use
                self.strings.append("".join(t.text or "" for t in item.iter(f"{MAIN_NS}t")))
        self.date_styles = set()
        if "xl/styles.xml" in names:
            styles = self._tree("xl/styles.xml")
            formats = dict(BUILTIN_FORMATS)
            for fmt in styles.iter(f"{MAIN_NS}numFmt"):
                formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
            cell_xfs = styles.find(f"{MAIN_NS}cellXfs")
            for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
                if is_date_format(formats.get(int(xf.get("numFmtId", "0")), "")):
                    self.date_styles.add(index)

    def _tree(self, name):
        """A small part (the workbook, its relationships, the styles) as a whole tree."""
        from defusedxml.ElementTree import fromstring

        if self.package.getinfo(name).file_size > XLSX_MAX_SMALL_PART:
            raise _refuse(_("the file is not an XLSX workbook"))
        return fromstring(self.package.read(name))

    def _stream(self, name: str, tag: str, stop: str = ""):
        """Each ``tag`` element of the part ``name`` as soon as it is complete; everything is
        dropped from memory once read, and the part is read no further than the end of
        ``stop``. The time limit is checked as it goes."""
        import time

        from defusedxml.ElementTree import iterparse

        stack: list = []
        inside = 0  # depth within the current ``tag`` element: its content is kept until its end
        with self.package.open(name) as source:
            for count, (event, element) in enumerate(iterparse(source, events=("start", "end"))):
                if count % 1000 == 0 and time.monotonic() > self.deadline:
                    raise _refuse(
                        _("the workbook takes too long to read (over %(s)d seconds)")
                        % {"s": XLSX_MAX_SECONDS}
                    )
                if event == "start":
                    stack.append(element)
                    inside += inside > 0 or element.tag == tag
                    continue
                stack.pop()
                if inside:
                    inside -= 1
                    if element.tag != tag or inside:
                        continue
                    yield element
                if stack:
                    stack[-1].remove(element)
                if element.tag == stop:
                    return

    def rows(self, name: str) -> list[tuple]:
        """The sheet's rows, streamed: row numbers, columns and lengths checked as they come."""
        rows: list[tuple] = []
        for element in self._stream(self.sheet_paths[name], f"{MAIN_NS}row", f"{MAIN_NS}sheetData"):
            number = int(element.get("r") or len(rows) + 1)
            if number <= len(rows):  # rows out of order: not something a spreadsheet writes
                raise _refuse(_("the file is not an XLSX workbook"))
            if number > XLSX_MAX_ROWS:
                raise _refuse(
                    _("the sheet has more than %(n)d rows (empty rows count too)")
                    % {"n": XLSX_MAX_ROWS},
                    XLSX_MAX_ROWS + 1, name,
                )  # fmt: skip
            rows.extend([()] * (number - 1 - len(rows)))  # rows a sheet leaves out
            rows.append(self._row(element, number, name))
        return rows

    def _row(self, element, number: int, name: str) -> tuple:
        from openpyxl.utils.cell import column_index_from_string

        cells: dict[int, object] = {}
        column = 0
        for cell in element.iter(f"{MAIN_NS}c"):
            ref = cell.get("r")
            column = column_index_from_string(ref.rstrip("0123456789")) if ref else column + 1
            value = self._value(cell)
            if value is None:
                continue
            if column > XLSX_MAX_COLUMNS:
                raise _refuse(
                    _("the row has more than %(n)d columns") % {"n": XLSX_MAX_COLUMNS},
                    number, name,
                )  # fmt: skip
            if isinstance(value, str) and len(value) > XLSX_MAX_CELL:
                raise _refuse(
                    _("a cell is longer than %(limit)d characters") % {"limit": XLSX_MAX_CELL},
                    number, name, value[:40] + "…",
                )  # fmt: skip
            cells[column] = value
        return tuple(cells.get(i) for i in range(1, max(cells, default=0) + 1))

    def _value(self, cell):
        """The cell's cached value: text, a number, a boolean, a datetime or None."""
        from openpyxl.utils.datetime import from_excel

        kind = cell.get("t", "n")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in cell.iter(f"{MAIN_NS}t"))
        raw = cell.findtext(f"{MAIN_NS}v")
        if not raw or kind == "e":  # empty (a formula never calculated), or an error: #DIV/0!
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "str":
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(raw)
        if int(cell.get("s", "0")) in self.date_styles:
            return from_excel(float(raw), self.epoch)
        if "." in raw or "e" in raw.lower() or len(raw) > 15:
            return float(raw)
        return int(raw)
