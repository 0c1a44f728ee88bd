"""What every file import shares: errors that name row, column, value and reason.

Imports are all-or-nothing: a loader collects every error of the file, raises
:class:`ImportRejected` with all of them, and writes nothing (the caller runs inside
``transaction.atomic``).
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _


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


class ImportRejected(Exception):
    """The file was rejected; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            _("The file was rejected, nothing was imported. Errors: %(count)d.")
            % {"count": len(errors)}
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
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                [
                    RowError(
                        _line_of(data, exc.start),
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
    rows = []
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


def _header_errors(header: list[str]) -> list[RowError]:
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
