"""``qorgau load-seed``: create the cases behind the source letter's figures (demo data)."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.core.errors import Conflict
from qorgau.demo import registry as demo


class Command(QorgauCommand):
    help = "Create cases that reproduce every figure of the Government's reply to inquiry ДС-16."

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace", action="store_true", help="Delete existing demonstration data first."
        )

    def handle(self, *args, **options):
        if options["replace"]:
            demo.remove_demo_data()
        try:
            cases = demo.load_seed(self.actor)
        except Conflict as exc:
            raise CommandError(f"{exc} {_('Use --replace to load it again.')}") from None
        self.stdout.write(
            _("Cases created: %(count)d (demonstration data).") % {"count": len(cases)}
        )
