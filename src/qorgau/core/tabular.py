"""The one writer of every CSV and XLSX file the system produces.

Cells carry text that users typed (titles, notes, instructions, organisation names), and a
spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: ``=HYPERLINK("http://…"&B2, "…")`` would send the row to
another site when clicked. So:

- in CSV, such a text cell is written with a leading apostrophe (``'=HYPERLINK…``), which
  spreadsheets show as text (the OWASP "CSV injection" rule);
- in XLSX, every text is written as a text cell (``t="inlineStr"``, never a formula), and one
  that starts with such a character also carries Excel's "quote prefix" style, so that editing
  the cell keeps it text; its value is unchanged, so an exported plan imports back as it was.

Numbers stay numbers: an ``int``/``float``/``Decimal`` (negative ones too) is a number cell in
XLSX and written as is in CSV, and a text that is just a number (``-5``, ``+3.5``) is not
altered — it cannot be a formula. A test (tests/test_sec_files.py) fails when a module writes
CSV or XLSX without this module.
"""

import csv
import datetime as dt
import decimal
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest, HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
# Written as typed cells (numbers, booleans, dates), not as text.
_TYPED = (bool, int, float, decimal.Decimal, dt.date, dt.datetime, dt.time)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (a plain number cannot)."""
    return text[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text)


def csv_cell(value) -> str:
    """``value`` as a CSV cell: empty for None, text that looks like a formula quoted."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def _quoting(cells) -> Literal[0, 1]:  # csv.QUOTE_MINIMAL or csv.QUOTE_ALL
    """Lines end in ``\\n``, so the csv module quotes a cell holding ``\\n`` but not one holding
    a bare ``\\r``, which a reader takes for the end of the row (and a formula after it would
    start a line without its apostrophe). Such a row is written with every cell quoted."""
    return csv.QUOTE_ALL if any("\r" in cell for cell in cells) else csv.QUOTE_MINIMAL


class CsvWriter:
    """``csv.writer`` whose every cell goes through :func:`csv_cell` (lines end in ``\\n``)."""

    def __init__(self, out):
        self._out = out

    def writerow(self, row) -> None:
        cells = [csv_cell(v) for v in row]
        csv.writer(self._out, lineterminator="\n", quoting=_quoting(cells)).writerow(cells)

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


class DictCsvWriter(csv.DictWriter):
    """``csv.DictWriter`` whose every cell goes through :func:`csv_cell`."""

    def __init__(self, out, fieldnames, extrasaction="raise"):
        super().__init__(out, fieldnames=fieldnames, lineterminator="\n", extrasaction=extrasaction)
        self.writer_out = out

    def writerow(self, rowdict):
        cells = {k: csv_cell(v) for k, v in rowdict.items()}
        quoting = _quoting(cells.values())
        if quoting == csv.QUOTE_MINIMAL:
            return super().writerow(cells)
        quoted = csv.DictWriter(
            self.writer_out,
            fieldnames=self.fieldnames,
            restval=self.restval,
            extrasaction=self.extrasaction,
            lineterminator="\n",
            quoting=quoting,
        )
        return quoted.writerow(cells)

    def writerows(self, rowdicts) -> None:
        for row in rowdicts:
            self.writerow(row)


class XlsxSheet:
    """One sheet of an :class:`XlsxBook`; rows are appended, typed cell by cell."""

    def __init__(self, sheet):
        self._sheet = sheet

    def _cell(self, value):
        # openpyxl (with numpy) loads when a workbook is written, not with every command.
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if value is None or isinstance(value, _TYPED):
            return WriteOnlyCell(self._sheet, value=value)
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # XML cannot carry control characters
        cell = WriteOnlyCell(self._sheet, value=text)
        cell.data_type = "s"  # text, never a formula, whatever it starts with
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell

    def append(self, values) -> None:
        self._sheet.append([self._cell(v) for v in values])


class XlsxBook:
    """A workbook written row by row (openpyxl's write-only mode: memory does not grow with the
    rows); sheets in the order they are added; :meth:`save` gives the file's bytes once."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self._book = Workbook(write_only=True)

    def sheet(self, title: str) -> XlsxSheet:
        return XlsxSheet(self._book.create_sheet(str(title)[:31]))

    def save(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


# --- Downloads: the header row and the byte order mark --------------------------------------

BOM = "\ufeff"


@dataclass(frozen=True)
class CsvOptions:
    """How a CSV download is written (docs/exports.md).

    By default the header row holds the machine-readable column codes and the file is plain
    UTF-8, byte for byte what scripts read. ``?header=labels`` asks for the file a person opens
    in a spreadsheet: the header row in the reader's language and a UTF-8 byte order mark, by
    which Excel on Windows knows the file is UTF-8 (without it Kazakh letters come out garbled).
    ``?bom=1`` adds the mark to a file with codes."""

    labels: bool = False
    bom: bool = False

    @classmethod
    def of(cls, request: HttpRequest) -> "CsvOptions":
        labels = request.GET.get("header") == "labels"
        return cls(labels=labels, bom=labels or request.GET.get("bom") == "1")

    def header(self, codes: Sequence[str], labels: Mapping[str, object]) -> list[str]:
        """The header row: ``codes``, or each code's label (the code itself when it has none)."""
        if not self.labels:
            return list(codes)
        return [str(labels.get(code, code)) for code in codes]

    def text(self, text: str) -> str:
        """The file's text, with the byte order mark first when asked for."""
        return BOM + text if self.bom else text


def csv_response(text: str, filename: str, options: CsvOptions) -> HttpResponse:
    """A CSV download of ``text`` named ``filename``, written as ``options`` say."""
    response = HttpResponse(options.text(text), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
