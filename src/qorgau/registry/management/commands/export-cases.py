"""``qorgau export-cases [--format csv] [-o FILE]``: export cases (docs/cases-csv.md)."""

import io

from qorgau.core.commands import QorgauCommand
from qorgau.registry import csvio
from qorgau.registry.models import Case


class Command(QorgauCommand):
    help = "Export cases as CSV to standard output or a file."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv"], default="csv")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        cases = Case.objects.all()
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                csvio.export_cases(cases, out)
        else:
            buffer = io.StringIO()
            csvio.export_cases(cases, buffer)
            self.stdout.write(buffer.getvalue(), ending="")
