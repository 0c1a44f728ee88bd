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
            "value": self.value,
            "reason": self.reason,
        }


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


def read_csv_text(data: bytes | str) -> tuple[list[str], list[dict[str, str]]]:
    """Parse UTF-8 CSV (with or without a byte-order mark) into its header and rows keyed by it.

    Raises ImportRejected when the bytes are not UTF-8 or the file has no header.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                [
                    RowError(
                        0,
                        "",
                        "",
                        _("the file is not UTF-8 text (byte %(pos)d)") % {"pos": exc.start},
                    )
                ]
            ) from None
    elif data.startswith("\ufeff"):
        data = data[1:]
    reader = csv.DictReader(io.StringIO(data, newline=""))
    if not reader.fieldnames:
        raise ImportRejected([RowError(1, "", "", _("the file is empty or has no header row"))])
    rows = []
    for row in reader:
        if None in row:  # more cells than header columns
            rows.append({**row, "__extra__": row.pop(None)})
        else:
            rows.append(row)
    return list(reader.fieldnames), rows


def require_columns(header: list[str], required: list[str]) -> list[RowError]:
    """Errors for each required column missing from the header."""
    present = set(header)
    return [
        RowError(1, column, "", _("required column is missing"))
        for column in required
        if column not in present
    ]
