"""``qorgau import-cases FILE.csv``: import cases, all or nothing (docs/cases-csv.md)."""

import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.core import importing
from qorgau.core.commands import QorgauCommand
from qorgau.core.importing import ImportRejected
from qorgau.registry import csvio


class Command(QorgauCommand):
    help = (
        "Import cases from a CSV file. A file with any bad row is rejected and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8); - for standard input")

    def handle(self, *args, **options):
        try:
            cases = csvio.import_cases(self.actor, self._read(options["file"]))
        except ImportRejected as exc:
            raise CommandError(exc.report()) from None
        self.stdout.write(_("Cases imported: %(count)d.") % {"count": len(cases)})

    def _read(self, name: str) -> bytes:
        """The file's bytes; one over the size limit is refused before it is read whole."""
        if name == "-":
            data = sys.stdin.buffer.read(importing.MAX_FILE_BYTES + 1)
            size = len(data)
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
            size, data = path.stat().st_size, None
        if error := importing.too_large(size):
            raise CommandError(error.report())
        return path.read_bytes() if data is None else data
