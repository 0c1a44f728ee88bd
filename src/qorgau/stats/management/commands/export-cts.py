"""``qorgau export-cts --year YYYY [--format csv|xlsx] [-o FILE] [--as-user USER]``: the
national counts by ICCS category in the shape of UNODC's crime trends survey (UN-CTS), from the
aggregates; national scope only; one ``stats.export`` entry (docs/exports.md)."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.stats import international


class Command(QorgauCommand):
    help = "Counts by ICCS category for one year, as UNODC's crime trends survey asks for them."
    for_user = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=international.FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt == "xlsx" and not options["output"]:
            raise CommandError(_("An XLSX file needs --output FILE."))
        data = international.export_cts(self.actor, options["year"], fmt, via="cli")
        if isinstance(data, bytes):
            with open(options["output"], "wb") as out:
                out.write(data)
        elif options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                out.write(data)
        else:
            self.stdout.write(data, ending="")
