"""``qorgau load-population FILE --source "…" --vintage YYYY-MM-DD [--date YYYY-MM-DD]``: load a
population table of the Bureau of National Statistics (CSV or XLSX), all or nothing
(docs/reference-data.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand, parse_date
from qorgau.core.importing import ImportRejected
from qorgau.stats import denominators


class Command(QorgauCommand):
    help = (
        "Load a population table (CSV or XLSX, regions by name in Kazakh, Russian or English, "
        "by KATO or ISO code) with its source and vintage, all or nothing."
    )
    for_user = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--source", required=True, help="The release and its address (stored with each figure)."
        )
        parser.add_argument(
            "--vintage",
            required=True,
            help="The release's date, YYYY-MM-DD (stored with each figure).",
        )
        parser.add_argument(
            "--date",
            help="The reference date of every figure, YYYY-MM-DD, when the table has no date column.",
        )
        parser.add_argument(
            "--precision",
            default="exact",
            help="e.g. exact, rounded to thousands (default: exact).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            loaded = denominators.load_table(
                self.actor,
                path.read_bytes(),
                filename=path.name,
                source=options["source"],
                vintage=parse_date(options["vintage"]),
                reference_date=parse_date(options["date"]) if options["date"] else None,
                precision=options["precision"],
            )
        except ImportRejected as exc:
            raise CommandError(exc.report()) from None
        self.stdout.write(_("Population figures loaded: %(count)d.") % {"count": len(loaded)})
