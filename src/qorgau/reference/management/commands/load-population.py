"""``qorgau load-population FILE.csv``: load an official population table, all or nothing."""

from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.core.importing import ImportRejected
from qorgau.reference import loaders
from qorgau.reference.models import PopulationFigure, Region


class Command(QorgauCommand):
    help = (
        "Load population figures (columns: region, reference_date, population, precision, source)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            with transaction.atomic():
                count = loaders.load_population(Region, PopulationFigure, path.read_bytes())
        except ImportRejected as exc:
            raise CommandError(exc.report()) from None
        self.stdout.write(_("Population figures loaded: %(count)d.") % {"count": count})
