"""``qorgau export-cases [--format csv] [-o FILE] [--as-user USER]``: export cases
(docs/cases-csv.md), within the user's scope when ``--as-user`` is given; audited.

The rows are streamed to the output as they are read (memory does not grow with them); the
``case.export`` entry, written at the end, identifies the cases written (``csvio.ExportDigest``:
the numbers themselves up to 10,000, else their count, first, last and SHA-256)."""

from qorgau.audit.log import write
from qorgau.core.commands import QorgauCommand
from qorgau.registry import actions, csvio, scoped


class Command(QorgauCommand):
    help = "Export cases as CSV to standard output or a file."
    for_user = True

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv"], default="csv")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        cases = scoped.cases_for(self.actor, "case.export")
        digest = csvio.ExportDigest()
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                csvio.export_cases(cases, out, digest=digest)
        else:
            for text in csvio.export_text(cases, digest=digest):
                self.stdout.write(text, ending="")
        write(
            self.actor,
            actions.CASE_EXPORT,
            details={"via": "cli", "format": options["format"], **digest.details()},
        )
