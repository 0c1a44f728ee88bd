"""``qorgau import-plan FILE.xlsx``: import a plan workbook, all or nothing (docs/campaigns.md)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.campaigns import services
from qorgau.core.commands import QorgauCommand
from qorgau.core.importing import XLSX_MAX_BYTES, ImportRejected


class Command(QorgauCommand):
    help = "Import a plan (plan, organisations and activities sheets) from an XLSX workbook."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            with path.open("rb") as file:  # a larger file is refused as too large
                plan = services.import_plan(self.actor, file.read(XLSX_MAX_BYTES + 1))
        except ImportRejected as exc:  # every error of the file, one a line
            raise CommandError(exc.report()) from None
        self.stdout.write(
            _("The plan was imported: %(n)d activities.") % {"n": plan.activities.count()}
        )
