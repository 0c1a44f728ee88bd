"""``qorgau load-demo``: the seed plus a larger, realistic history (demo data)."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.core.errors import Conflict
from qorgau.core.progress import Progress
from qorgau.demo import registry as demo


class Command(QorgauCommand):
    help = (
        "Load the letter's figures and a larger demonstration history (statuses, parties, reports)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace", action="store_true", help="Delete existing demonstration data first."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if demonstration data is present."
        )

    def handle(self, *args, **options):
        if options["if_empty"] and demo.has_demo_data():
            self.stdout.write(_("Demonstration data is already loaded."))
            return
        if options["replace"]:
            demo.remove_demo_data()
        # The bar goes to stderr: stdout keeps the one-line summary scripts read.
        progress = Progress(self.stderr._out)
        try:
            result = demo.load_demo(self.actor, progress=progress)
        except Conflict as exc:
            raise CommandError(f"{exc} {_('Use --replace to load it again.')}") from None
        finally:
            progress.close()
        self.stdout.write(
            _(
                "Demonstration data loaded: %(seed)d cases of the letter, %(more)d more cases, %(reports)d other reports, %(plans)d campaign plans with %(activities)d activities, %(sessions)d training sessions."
            )
            % {
                "seed": result["seed_cases"],
                "more": result["more_cases"],
                "reports": result["other_reports"],
                "plans": result["plans"],
                "activities": result["activities"],
                "sessions": result["sessions"],
            }
        )
