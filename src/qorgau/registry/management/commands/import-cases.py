"""``qorgau import-cases FILE.csv``: import cases, all or nothing (docs/cases-csv.md)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

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
        if options["file"] == "-":
            import sys

            data = sys.stdin.buffer.read()
        else:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
            data = path.read_bytes()
        try:
            cases = csvio.import_cases(data)
        except ImportRejected as exc:
            raise CommandError(exc.report()) from None
        self.stdout.write(_("Cases imported: %(count)d.") % {"count": len(cases)})
